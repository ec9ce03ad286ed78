package io.conduit.codec;

import io.conduit.codec.sbe.evolution.v1.OrderDecoder;
import io.conduit.codec.sbe.evolution.v1.OrderEncoder;
import io.conduit.codec.sbe.groups.TreeDecoder;
import io.conduit.codec.sbe.groups.TreeEncoder;
import io.conduit.codec.sbe.rpc.RequestDecoder;
import io.conduit.codec.sbe.rpc.RequestEncoder;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.agrona.sbe.MessageEncoderFlyweight;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/CODEC.md ("Neither path relies on {@code agrona.disable.bounds.checks}") and {@link SbeDispatcher}'s Javadoc: a
 * handler that reads its groups and var-data in schema order reads only what the walk checked; one that reads them out
 * of order, or twice, gets an {@link IndexOutOfBoundsException} from the view, which passes through the dispatcher
 * unchanged. Each test takes a legitimate record that ends right after its last var-data field, whose bytes make the
 * misplaced read land past its end, and shows that a schema-order handler reads it whole, and that the misplaced read
 * is refused by the view (bounded to the record's length) before it reads anything, with the handler's own exception
 * reaching the caller and nothing counted as rejected.
 * <p>
 * The ring is a {@link ReadRecordingBuffer}: it shows that the dispatcher's own reads stay inside the record. The
 * decoder reads through the view, which goes around those getters; that the view read nothing outside the record is
 * shown by the values the handler got (all from inside the record: the bytes past it are {@link #POISON}) and by the
 * view's exception, thrown before the access, for an access that starts or ends past the view's capacity, the record's
 * length. This class also runs in the surefire execution with {@code agrona.disable.bounds.checks=true}, where only the
 * view's own checks stand between a misplaced read and the bytes past the record.
 */
class SbeDispatcherReadOrderTest
{
    private static final int RECORD_OFFSET = 64;
    // past the record: a read taken from here would show in what the handler got
    private static final byte POISON = (byte)0x5A;

    // large enough that even a read the view failed to refuse stays inside the allocation
    private final ReadRecordingBuffer ring = new ReadRecordingBuffer(64 * 1024);
    private final byte[] bytes = new byte[64];
    private final List<String> seen = new ArrayList<>();
    private final List<RuntimeException> thrownByHandler = new ArrayList<>();

    /**
     * Request's payload read before its replyTo: the payload's 4-byte length is taken from replyTo's 2-byte length and
     * its first two characters ("mailbox": 0x616D0007), so the copy of up to 64 bytes from offset 20 of a 33-byte
     * record is refused.
     */
    @Test
    void shouldRefuseAVarDataFieldReadBeforeTheOneAheadOfIt()
    {
        final int length = encodeRequest();
        assertEquals(33, length);
        deliver(new SbeDispatcher(UnknownMessagePolicy.THROW).register(new RequestDecoder(), (request) ->
        {
            seen.add("correlationId " + request.correlationId());
            final StringBuilder replyTo = new StringBuilder();
            request.getReplyTo(replyTo);
            seen.add("replyTo " + replyTo);
            seen.add("payload " + request.getPayload(bytes, 0, bytes.length) + " bytes, first " + bytes[0]);
        }), RequestEncoder.TEMPLATE_ID, length);
        assertEquals(List.of("correlationId 8", "replyTo mailbox", "payload 4 bytes, first 7"), seen);

        final IndexOutOfBoundsException ex = deliverRefused(new RequestDecoder(), (request) ->
        {
            seen.add("payload length " + request.payloadLength());
            seen.add("payload " + request.getPayload(bytes, 0, bytes.length) + " bytes");
        }, RequestEncoder.TEMPLATE_ID, length);
        assertEquals("record view read out of bounds: index=20 length=64 capacity=33", ex.getMessage());
        assertEquals(List.of("payload length " + 0x616D_0007), seen);
    }

    /**
     * Tree's roots group read before its branches' entries: the roots header is taken from the first branch's weight,
     * (2 &lt;&lt; 16) | 64, so 2 roots of 64 bytes, the second of which starts at 88 of a 34-byte record; the first
     * root's depth is the leaves and roots headers that follow the branch, inside the record.
     */
    @Test
    void shouldRefuseAGroupReadBeforeTheEntriesOfTheGroupAheadOfIt()
    {
        final int weight = (2 << 16) | 64;
        final int length = encodeTree(weight);
        assertEquals(34, length);
        deliver(new SbeDispatcher(UnknownMessagePolicy.THROW).register(new TreeDecoder(), (tree) ->
        {
            for (final TreeDecoder.BranchesDecoder branch : tree.branches())
            {
                seen.add("branch " + branch.weight() + " leaves " + branch.leaves().count());
            }
            seen.add("roots " + tree.roots().count());
            seen.add("label '" + tree.label() + "'");
        }), TreeEncoder.TEMPLATE_ID, length);
        assertEquals(List.of("branch " + weight + " leaves 0", "roots 0", "label ''"), seen);

        final IndexOutOfBoundsException ex = deliverRefused(new TreeDecoder(), (tree) ->
        {
            seen.add("branches " + tree.branches().count());
            final TreeDecoder.RootsDecoder roots = tree.roots();
            seen.add("roots " + roots.count() + " of " + roots.actingBlockLength() + " bytes");
            for (final TreeDecoder.RootsDecoder root : roots)
            {
                seen.add("depth " + root.depth());
            }
        }, TreeEncoder.TEMPLATE_ID, length);
        assertEquals("record view read out of bounds: index=88 length=8 capacity=34", ex.getMessage());
        // the leaves header (blockLength 4, count 0), then the roots header (blockLength 8, count 0)
        assertEquals(List.of("branches 1", "roots 2 of 64 bytes", "depth " + (4L | (8L << 32))), seen);
    }

    /**
     * Request's payload read twice: the second read takes its length from the 4 bytes after the payload, past the end
     * of a record that ends with it.
     */
    @Test
    void shouldRefuseAVarDataFieldReadTwice()
    {
        final int length = encodeRequest();
        final IndexOutOfBoundsException ex = deliverRefused(new RequestDecoder(), (request) ->
        {
            final StringBuilder replyTo = new StringBuilder();
            request.getReplyTo(replyTo);
            seen.add("replyTo " + replyTo);
            seen.add("payload " + request.getPayload(bytes, 0, bytes.length) + " bytes");
            seen.add("payload again " + request.getPayload(bytes, 0, bytes.length) + " bytes");
        }, RequestEncoder.TEMPLATE_ID, length);
        assertEquals("record view read out of bounds: index=33 length=4 capacity=33", ex.getMessage());
        assertEquals(List.of("replyTo mailbox", "payload 4 bytes"), seen);
    }

    /**
     * Order's legs group read twice: the second header is read from where the note is, so its block length is the
     * note's length (2) and its count the note's text ("AB": 0x4241), and the first entry of that group starts at 45,
     * the end of the 45-byte record.
     */
    @Test
    void shouldRefuseAGroupReadTwiceFromWhereTheVarDataAfterItIs()
    {
        final int length = encodeOrder("AB");
        assertEquals(45, length);
        deliver(new SbeDispatcher(UnknownMessagePolicy.THROW).register(new OrderDecoder(), (order) ->
        {
            for (final OrderDecoder.LegsDecoder leg : order.legs())
            {
                seen.add("leg " + leg.legId() + "/" + leg.ratio() + "/" + leg.side());
            }
            seen.add("note " + order.note());
        }), OrderEncoder.TEMPLATE_ID, length);
        assertEquals(List.of("leg 11/12/1", "note AB"), seen);

        final IndexOutOfBoundsException ex = deliverRefused(new OrderDecoder(), (order) ->
        {
            for (final OrderDecoder.LegsDecoder leg : order.legs())
            {
                seen.add("leg " + leg.legId());
            }
            final OrderDecoder.LegsDecoder again = order.legs();
            seen.add("legs again " + again.count() + " of " + again.actingBlockLength() + " bytes");
            for (final OrderDecoder.LegsDecoder leg : again)
            {
                seen.add("leg " + leg.legId());
            }
        }, OrderEncoder.TEMPLATE_ID, length);
        assertEquals("record view read out of bounds: index=45 length=4 capacity=45", ex.getMessage());
        assertEquals(List.of("leg 11", "legs again " + 0x4241 + " of 2 bytes"), seen);
    }

    /**
     * Deliver the record through a dispatcher whose handler reads in schema order: handled, nothing rejected, and the
     * dispatcher's own reads inside the record.
     */
    private void deliver(final SbeDispatcher dispatcher, final int typeId, final int length)
    {
        ring.forget();
        dispatcher.onMessage(typeId, ring, RECORD_OFFSET, length);
        assertEquals(0, dispatcher.rejectedCount());
        assertTrue(ring.readOnlyInside(RECORD_OFFSET, length), "read=" + ring.readRange());
    }

    /**
     * Deliver the record through a dispatcher whose handler misreads it, and check that the view's exception is the
     * handler's, passed through unchanged to the caller, the record accepted by the walk, and the dispatcher's own
     * reads inside the record.
     *
     * @return the exception, for its message.
     */
    private <D extends MessageDecoderFlyweight> IndexOutOfBoundsException deliverRefused(
        final D decoder, final SbeMessageHandler<D> handler, final int typeId, final int length)
    {
        seen.clear();
        thrownByHandler.clear();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW).register(decoder, (message) ->
        {
            assertInstanceOf(CheckedBuffer.class, message.buffer());
            try
            {
                handler.onMessage(message);
            }
            catch (final RuntimeException ex)
            {
                thrownByHandler.add(ex);
                throw ex;
            }
        });
        ring.forget();
        final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
            () -> dispatcher.onMessage(typeId, ring, RECORD_OFFSET, length));
        assertEquals(1, thrownByHandler.size());
        assertSame(thrownByHandler.get(0), ex);
        assertEquals(0, dispatcher.rejectedCount());
        assertTrue(ring.readOnlyInside(RECORD_OFFSET, length), "read=" + ring.readRange());
        return ex;
    }

    /**
     * A Request of correlationId 8, replyTo "mailbox" and a 4-byte payload 7, 0, 0, 0, ending the record.
     */
    private int encodeRequest()
    {
        final RequestEncoder request = wrap(new RequestEncoder());
        request.correlationId(8).replyTo("mailbox").putPayload(new byte[]{7, 0, 0, 0}, 0, 4);
        return poisonAfter(HEADER_LENGTH + request.encodedLength());
    }

    /**
     * A version 1 Tree of one branch of the given weight and no leaves, no roots, and an empty label, ending the
     * record.
     */
    private int encodeTree(final int weight)
    {
        final TreeEncoder tree = wrap(new TreeEncoder()).treeId(1);
        tree.branchesCount(1).next().weight(weight).leavesCount(0);
        tree.rootsCount(0);
        tree.label("");
        return poisonAfter(HEADER_LENGTH + tree.encodedLength());
    }

    /**
     * A version 1 Order of one leg (11, 12, 1) and the note, ending the record.
     */
    private int encodeOrder(final String note)
    {
        final OrderEncoder order = wrap(new OrderEncoder()).orderId(1).price(2).quantity(3);
        order.legsCount(1).next().legId(11).ratio(12).side((byte)1);
        order.note(note);
        return poisonAfter(HEADER_LENGTH + order.encodedLength());
    }

    private int poisonAfter(final int length)
    {
        ring.setMemory(RECORD_OFFSET + length, ring.capacity() - RECORD_OFFSET - length, POISON);
        return length;
    }

    private <E extends MessageEncoderFlyweight> E wrap(final E encoder)
    {
        return SbeDispatcherTest.wrapCleared(ring, RECORD_OFFSET, encoder);
    }
}
