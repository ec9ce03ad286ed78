package io.conduit.codec;

import io.conduit.codec.sbe.evolution.v0.OrderDecoder;
import io.conduit.codec.sbe.evolution.v0.OrderEncoder;
import io.conduit.codec.sbe.evolution.v0.QuoteDecoder;
import io.conduit.codec.sbe.evolution.v0.QuoteEncoder;
import io.conduit.ring.Ring;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One schema (id 900, src/test/resources/schema/evolution-v*.xml) at two versions, generated into two packages:
 * version 1 adds a field at the end of each message block and at the end of each group entry. A reader of either
 * version reads a writer of the other through the dispatcher, which wraps with the sender's block length and version.
 * Order has a group and var-data after the block, so a reader that used its own block length instead of the
 * sender's would find them at the wrong offset. Quote has neither, so the dispatcher decodes it straight from the
 * ring's buffer when the sender's block is at least the reader's, and through its checked view of the record when it
 * is shorter (an older sender).
 */
class SchemaEvolutionTest
{
    private static final int V1_QUANTITY_NULL = io.conduit.codec.sbe.evolution.v1.OrderDecoder.quantityNullValue();
    private static final byte V1_SIDE_NULL = io.conduit.codec.sbe.evolution.v1.OrderDecoder.LegsDecoder.sideNullValue();

    private final Ring ring = new TestRing(64 * 1024, 4096);
    private final SbePublisher publisher = new SbePublisher(ring);
    private final List<String> received = new ArrayList<>();

    @Test
    void shouldLetAVersion0ReaderReadAVersion1Writer()
    {
        final io.conduit.codec.sbe.evolution.v1.OrderEncoder encoder =
            new io.conduit.codec.sbe.evolution.v1.OrderEncoder();
        assertTrue(publisher.tryClaim(encoder, v1Length(2, "hello".length())) > 0);
        encoder.orderId(1).price(250).quantity(30);
        final io.conduit.codec.sbe.evolution.v1.OrderEncoder.LegsEncoder legs = encoder.legsCount(2);
        legs.next().legId(10).ratio(1).side((byte)1);
        legs.next().legId(11).ratio(2).side((byte)-1);
        encoder.note("hello");
        publisher.commit();

        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new OrderDecoder(), (order) ->
            {
                received.add("v" + order.actingVersion() + " block=" + senderBlockLength(order) + " sbeBlock=" +
                    order.sbeBlockLength());
                received.add(order.orderId() + "," + order.price());
                for (final OrderDecoder.LegsDecoder leg : order.legs())
                {
                    received.add("leg " + leg.legId() + "," + leg.ratio() + " block=" + leg.actingBlockLength());
                }
                received.add(order.note());
            });

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of(
            "v1 block=20 sbeBlock=16", "1,250", "leg 10,1 block=9", "leg 11,2 block=9", "hello"), received);
    }

    @Test
    void shouldLetAVersion1ReaderReadAVersion0WriterWithNullsForTheNewFields()
    {
        final OrderEncoder encoder = new OrderEncoder();
        assertTrue(publisher.tryClaim(encoder, v0Length(2, "world".length())) > 0);
        encoder.orderId(2).price(-5);
        final OrderEncoder.LegsEncoder legs = encoder.legsCount(2);
        legs.next().legId(20).ratio(3);
        legs.next().legId(21).ratio(4);
        encoder.note("world");
        publisher.commit();

        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new io.conduit.codec.sbe.evolution.v1.OrderDecoder(), (order) ->
            {
                received.add("v" + order.actingVersion() + " block=" + senderBlockLength(order));
                received.add(order.orderId() + "," + order.price() + "," +
                    (V1_QUANTITY_NULL == order.quantity() ? "null" : order.quantity()));
                for (final io.conduit.codec.sbe.evolution.v1.OrderDecoder.LegsDecoder leg : order.legs())
                {
                    received.add("leg " + leg.legId() + "," + leg.ratio() + "," +
                        (V1_SIDE_NULL == leg.side() ? "null" : leg.side()));
                }
                received.add(order.note());
            });

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("v0 block=16", "2,-5,null", "leg 20,3,null", "leg 21,4,null", "world"), received);
    }

    @Test
    void shouldLetAVersion0ReaderReadAVersion1FixedLengthWriterStraightFromTheRing()
    {
        final io.conduit.codec.sbe.evolution.v1.QuoteEncoder encoder =
            new io.conduit.codec.sbe.evolution.v1.QuoteEncoder();
        assertTrue(publisher.tryClaim(encoder, MessageLengths.fixedLength(encoder)) > 0);
        encoder.quoteId(1).bid(100).ask(101);
        publisher.commit();

        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new QuoteDecoder(), (quote) ->
            {
                assertSame(ring.buffer(), quote.buffer());
                received.add("v" + quote.actingVersion() + " block=" + senderBlockLength(quote) + " " +
                    quote.quoteId() + "," + quote.bid());
            });

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("v1 block=24 1,100"), received);
    }

    @Test
    void shouldLetAVersion1ReaderReadAVersion0FixedLengthWriterThroughTheViewWithANullForTheNewField()
    {
        final QuoteEncoder encoder = new QuoteEncoder();
        assertTrue(publisher.tryClaim(encoder, MessageLengths.fixedLength(encoder)) > 0);
        encoder.quoteId(2).bid(200);
        publisher.commit();

        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new io.conduit.codec.sbe.evolution.v1.QuoteDecoder(), (quote) ->
            {
                assertInstanceOf(CheckedBuffer.class, quote.buffer());
                received.add("v" + quote.actingVersion() + " block=" + senderBlockLength(quote) + " " +
                    quote.quoteId() + "," + quote.bid() + "," +
                    (io.conduit.codec.sbe.evolution.v1.QuoteDecoder.askNullValue() == quote.ask() ? "null" : "?"));
            });

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("v0 block=16 2,200,null"), received);
    }

    @Test
    void shouldRejectAVersionBelowTheRegisteredMinimum()
    {
        final OrderEncoder encoder = new OrderEncoder();
        assertTrue(publisher.tryClaim(encoder, v0Length(0, 0)) > 0);
        encoder.orderId(3).price(0).legsCount(0);
        encoder.note("");
        publisher.commit();

        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new io.conduit.codec.sbe.evolution.v1.OrderDecoder(), 1, (order) -> received.add("handled"));

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of(), received);
        assertEquals(1, dispatcher.rejectedCount(RejectReason.INCOMPATIBLE_VERSION));
    }

    @Test
    void shouldRejectAMessageThatClaimsTheReadersVersionWithAShorterBlock()
    {
        // a version 0 message whose header is forged to say version 1: its block is 4 bytes short of version 1's
        final OrderEncoder encoder = new OrderEncoder();
        final int offset = publisher.tryClaim(encoder, v0Length(0, 0));
        encoder.orderId(4).price(0).legsCount(0);
        encoder.note("");
        ring.buffer().putShort(offset + MessageHeaderDescriptor.VERSION_OFFSET, (short)1,
            MessageHeaderDescriptor.BYTE_ORDER);
        publisher.commit();

        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new io.conduit.codec.sbe.evolution.v1.OrderDecoder(), (order) -> received.add("handled"));

        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of(), received);
        assertEquals(1, dispatcher.rejectedCount(RejectReason.INCOMPATIBLE_VERSION));
        assertNotEquals(OrderEncoder.BLOCK_LENGTH, io.conduit.codec.sbe.evolution.v1.OrderEncoder.BLOCK_LENGTH);
    }

    private static int senderBlockLength(final MessageDecoderFlyweight decoder)
    {
        return MessageHeaderDescriptor.blockLength(decoder.buffer(), decoder.offset() - HEADER_LENGTH);
    }

    private static int v0Length(final int legCount, final int noteLength)
    {
        return HEADER_LENGTH + OrderEncoder.BLOCK_LENGTH + OrderEncoder.LegsEncoder.sbeHeaderSize() +
            legCount * OrderEncoder.LegsEncoder.sbeBlockLength() + OrderEncoder.noteHeaderLength() + noteLength;
    }

    private static int v1Length(final int legCount, final int noteLength)
    {
        return HEADER_LENGTH + io.conduit.codec.sbe.evolution.v1.OrderEncoder.BLOCK_LENGTH +
            io.conduit.codec.sbe.evolution.v1.OrderEncoder.LegsEncoder.sbeHeaderSize() +
            legCount * io.conduit.codec.sbe.evolution.v1.OrderEncoder.LegsEncoder.sbeBlockLength() +
            io.conduit.codec.sbe.evolution.v1.OrderEncoder.noteHeaderLength() + noteLength;
    }
}
