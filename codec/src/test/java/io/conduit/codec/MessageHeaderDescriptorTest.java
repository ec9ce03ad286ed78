package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingDecoder;
import io.conduit.codec.sbe.ping.PongDecoder;
import io.conduit.codec.sbe.rpc.ReplyDecoder;
import io.conduit.codec.sbe.rpc.RequestDecoder;
import io.conduit.codec.sbe.sensor.HeartbeatDecoder;
import io.conduit.codec.sbe.sensor.SensorBatchDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.conduit.codec.MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET;
import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;
import static io.conduit.codec.MessageHeaderDescriptor.SCHEMA_ID_OFFSET;
import static io.conduit.codec.MessageHeaderDescriptor.TEMPLATE_ID_OFFSET;
import static io.conduit.codec.MessageHeaderDescriptor.VERSION_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The descriptor matches the header every schema generates, and Conduit's schema and template ids are as documented.
 */
class MessageHeaderDescriptorTest
{
    @Test
    void shouldMatchTheHeaderOfEveryGeneratedSchema()
    {
        assertHeader(io.conduit.codec.sbe.sensor.MessageHeaderDecoder.blockLengthEncodingOffset(),
            io.conduit.codec.sbe.sensor.MessageHeaderDecoder.templateIdEncodingOffset(),
            io.conduit.codec.sbe.sensor.MessageHeaderDecoder.schemaIdEncodingOffset(),
            io.conduit.codec.sbe.sensor.MessageHeaderDecoder.versionEncodingOffset(),
            io.conduit.codec.sbe.sensor.MessageHeaderDecoder.ENCODED_LENGTH);
        assertHeader(io.conduit.codec.sbe.ping.MessageHeaderDecoder.blockLengthEncodingOffset(),
            io.conduit.codec.sbe.ping.MessageHeaderDecoder.templateIdEncodingOffset(),
            io.conduit.codec.sbe.ping.MessageHeaderDecoder.schemaIdEncodingOffset(),
            io.conduit.codec.sbe.ping.MessageHeaderDecoder.versionEncodingOffset(),
            io.conduit.codec.sbe.ping.MessageHeaderDecoder.ENCODED_LENGTH);
        assertHeader(io.conduit.codec.sbe.rpc.MessageHeaderDecoder.blockLengthEncodingOffset(),
            io.conduit.codec.sbe.rpc.MessageHeaderDecoder.templateIdEncodingOffset(),
            io.conduit.codec.sbe.rpc.MessageHeaderDecoder.schemaIdEncodingOffset(),
            io.conduit.codec.sbe.rpc.MessageHeaderDecoder.versionEncodingOffset(),
            io.conduit.codec.sbe.rpc.MessageHeaderDecoder.ENCODED_LENGTH);
    }

    @Test
    void shouldReadWhatTheGeneratedHeaderEncoderWrites()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        new io.conduit.codec.sbe.rpc.MessageHeaderEncoder().wrap(buffer, 4)
            .blockLength(0xFFFE).templateId(21).schemaId(3).version(0x8001);

        assertEquals(0xFFFE, MessageHeaderDescriptor.blockLength(buffer, 4));
        assertEquals(21, MessageHeaderDescriptor.templateId(buffer, 4));
        assertEquals(3, MessageHeaderDescriptor.schemaId(buffer, 4));
        assertEquals(0x8001, MessageHeaderDescriptor.version(buffer, 4));

        MessageHeaderDescriptor.write(buffer, 12, 26, 1, 1, 7);
        final io.conduit.codec.sbe.sensor.MessageHeaderDecoder decoder =
            new io.conduit.codec.sbe.sensor.MessageHeaderDecoder().wrap(buffer, 12);
        assertEquals(26, decoder.blockLength());
        assertEquals(1, decoder.templateId());
        assertEquals(1, decoder.schemaId());
        assertEquals(7, decoder.version());
    }

    @Test
    void shouldLoadAndStoreTheWholeHeaderAsOneLongWithTheSameFieldsAsTheirOwnAccessors()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        new io.conduit.codec.sbe.rpc.MessageHeaderEncoder().wrap(buffer, 8)
            .blockLength(0xFFFE).templateId(21).schemaId(0x8003).version(0xFFFF);

        final long header = MessageHeaderDescriptor.header(buffer, 8);
        assertEquals(0xFFFE, MessageHeaderDescriptor.blockLength(header));
        assertEquals(21, MessageHeaderDescriptor.templateId(header));
        assertEquals(0x8003, MessageHeaderDescriptor.schemaId(header));
        assertEquals(0xFFFF, MessageHeaderDescriptor.version(header));
        assertEquals(header, MessageHeaderDescriptor.header(0xFFFE, 21, 0x8003, 0xFFFF));

        MessageHeaderDescriptor.writeHeader(buffer, 16, MessageHeaderDescriptor.header(26, 1, 1, 7));
        assertEquals(26, MessageHeaderDescriptor.blockLength(buffer, 16));
        assertEquals(1, MessageHeaderDescriptor.templateId(buffer, 16));
        assertEquals(1, MessageHeaderDescriptor.schemaId(buffer, 16));
        assertEquals(7, MessageHeaderDescriptor.version(buffer, 16));
        assertEquals(0, buffer.getLong(24), "nothing written past the header");
    }

    @Test
    void shouldRefuseAFieldThatWouldBeCutTo16Bits()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> MessageHeaderDescriptor.write(buffer, 0, 70_000, 1, 1, 0));
        assertTrue(ex.getMessage().contains("blockLength=70000"), ex.getMessage());
        assertEquals(0, buffer.getLong(0), "nothing written");
        assertThrows(IllegalArgumentException.class, () -> MessageHeaderDescriptor.header(0, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> MessageHeaderDescriptor.header(0, 1, 0x1_0000, 0));
        assertThrows(IllegalArgumentException.class, () -> MessageHeaderDescriptor.header(0, 1, 1, Integer.MIN_VALUE));
        assertEquals(0xFFFF, MessageHeaderDescriptor.version(MessageHeaderDescriptor.header(0xFFFF, 1, 1, 0xFFFF)));
    }

    @Test
    void shouldGiveConduitsSchemasDistinctIdsAndTemplateIdsUniqueAcrossThem()
    {
        final List<MessageDecoderFlyweight> decoders = List.of(
            new SensorReadingDecoder(), new SensorBatchDecoder(), new HeartbeatDecoder(),
            new PingDecoder(), new PongDecoder(), new RequestDecoder(), new ReplyDecoder());
        final Set<Integer> templateIds = new HashSet<>();
        for (final MessageDecoderFlyweight decoder : decoders)
        {
            assertTrue(decoder.sbeTemplateId() >= 1, decoder.getClass().getName());
            assertTrue(templateIds.add(decoder.sbeTemplateId()), decoder.getClass().getName());
        }
        assertEquals(List.of(1, 1, 1, 2, 2, 3, 3), List.of(
            SensorReadingDecoder.SCHEMA_ID, SensorBatchDecoder.SCHEMA_ID, HeartbeatDecoder.SCHEMA_ID,
            PingDecoder.SCHEMA_ID, PongDecoder.SCHEMA_ID, RequestDecoder.SCHEMA_ID, ReplyDecoder.SCHEMA_ID));
        assertEquals(List.of(1, 2, 3, 10, 11, 20, 21), List.of(
            SensorReadingDecoder.TEMPLATE_ID, SensorBatchDecoder.TEMPLATE_ID, HeartbeatDecoder.TEMPLATE_ID,
            PingDecoder.TEMPLATE_ID, PongDecoder.TEMPLATE_ID, RequestDecoder.TEMPLATE_ID, ReplyDecoder.TEMPLATE_ID));
    }

    private static void assertHeader(
        final int blockLengthOffset,
        final int templateIdOffset,
        final int schemaIdOffset,
        final int versionOffset,
        final int length)
    {
        assertEquals(BLOCK_LENGTH_OFFSET, blockLengthOffset);
        assertEquals(TEMPLATE_ID_OFFSET, templateIdOffset);
        assertEquals(SCHEMA_ID_OFFSET, schemaIdOffset);
        assertEquals(VERSION_OFFSET, versionOffset);
        assertEquals(HEADER_LENGTH, length);
    }
}
