package io.conduit.codec;

import io.conduit.codec.sbe.edges.TradeDecoder;
import io.conduit.codec.sbe.edges.TradeEncoder;
import io.conduit.codec.sbe.evolution.v1.OrderDecoder;
import io.conduit.codec.sbe.evolution.v1.OrderEncoder;
import io.conduit.codec.sbe.groups.GroveDecoder;
import io.conduit.codec.sbe.groups.GroveEncoder;
import io.conduit.codec.sbe.groups.TreeDecoder;
import io.conduit.codec.sbe.groups.TreeEncoder;
import io.conduit.codec.sbe.sensor.SensorBatchDecoder;
import io.conduit.codec.sbe.sensor.SensorBatchEncoder;
import io.conduit.codec.sbe.wide.LimitedDecoder;
import io.conduit.codec.sbe.wide.LimitedEncoder;
import io.conduit.codec.sbe.wide.TallyDecoder;
import io.conduit.codec.sbe.wide.TallyEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageEncoderFlyweight;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.conduit.codec.MessageHeaderDescriptor.BYTE_ORDER;
import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The block lengths on the wire against what the reader reads: a group entry or a message block shorter than the
 * fields the reader reads at the sender's version is rejected as {@link RejectReason#MALFORMED} before a handler sees
 * it, where it used to decode the next entry's or the trailing bytes; the walk over groups does work bounded by the
 * record's length, whatever the counts; and legitimate messages, across versions, empty and at their largest, still
 * decode.
 */
class SbeDispatcherGroupsTest
{
    private static final int RECORD_OFFSET = 64;
    private static final int GROUP_HEADER_LENGTH = 4;
    private static final int MAX_COUNT = 65535;
    private static final int SENSOR_BATCH_GROUP_OFFSET = HEADER_LENGTH + SensorBatchEncoder.BLOCK_LENGTH;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * 1024 * 1024));
    private final List<String> received = new ArrayList<>();
    private final SbeDispatcher dropping = register(new SbeDispatcher(UnknownMessagePolicy.DROP));
    private final SbeDispatcher throwing = register(new SbeDispatcher(UnknownMessagePolicy.THROW));

    @Test
    void shouldRejectAnEntryBlockLengthOfZeroInsteadOfDecodingTheTrailingBytes()
    {
        final int length = encodeSensorBatch(1);
        assertEquals(54, length);
        putGroupHeader(SENSOR_BATCH_GROUP_OFFSET, 0, 1);

        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(1, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(List.of(), received);

        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> throwing.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
        assertSame(RejectReason.MALFORMED, ex.reason());
        assertContains(ex.getMessage(), "group readings", "blockLength=0", "26 bytes", "version 0", "quality");
        assertEquals(List.of(), received);
    }

    @Test
    void shouldRejectEntriesSentWithAnOlderVersionsBlockLengthUnderTheNewerVersion()
    {
        // version 1 legs entries are 9 bytes (side was added); these are sent as 8, so side would be the next legId
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        MessageHeaderDescriptor.write(buffer, RECORD_OFFSET, OrderEncoder.BLOCK_LENGTH, OrderEncoder.TEMPLATE_ID,
            OrderEncoder.SCHEMA_ID, 1);
        int at = RECORD_OFFSET + HEADER_LENGTH + OrderEncoder.BLOCK_LENGTH;
        putGroupHeader(at - RECORD_OFFSET, 8, 2);
        at += GROUP_HEADER_LENGTH;
        for (int i = 0; i < 2; i++)
        {
            buffer.putInt(at, 10 + i, BYTE_ORDER);
            buffer.putInt(at + 4, 1, BYTE_ORDER);
            at += 8;
        }
        buffer.putShort(at, (short)0, BYTE_ORDER);
        final int length = at + 2 - RECORD_OFFSET;

        final List<String> orders = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new OrderDecoder(), (order) -> orders.add("order " + order.orderId()));
        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> dispatcher.onMessage(OrderEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
        assertSame(RejectReason.MALFORMED, ex.reason());
        assertContains(ex.getMessage(), "group legs", "blockLength=8", "9 bytes", "version 1", "side");
        assertEquals(List.of(), orders);

        // the same entries under version 0, which has no side: read as they are
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.VERSION_OFFSET, (short)0, BYTE_ORDER);
        final SbeDispatcher lenient = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new OrderDecoder(), (order) ->
            {
                final StringBuilder text = new StringBuilder("order");
                for (final OrderDecoder.LegsDecoder leg : order.legs())
                {
                    text.append(' ').append(leg.legId()).append('/').append(leg.side());
                }
                orders.add(text.toString());
            });
        lenient.onMessage(OrderEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(List.of("order 10/" + OrderDecoder.LegsDecoder.sideNullValue() + " 11/" +
            OrderDecoder.LegsDecoder.sideNullValue()), orders);
    }

    @Test
    void shouldCountAShortEntryAsADropInsteadOfLettingTheHandlerThrow()
    {
        final int length = encodeSensorBatch(1);
        putGroupHeader(SENSOR_BATCH_GROUP_OFFSET, 13, 2);

        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(1, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(1, dropping.rejectedCount());
        assertEquals(List.of(), received);

        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> throwing.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
        assertSame(RejectReason.MALFORMED, ex.reason());
        assertContains(ex.getMessage(), "group readings", "blockLength=13", "26 bytes");
    }

    /**
     * The walk refuses the first short entry header it meets, before any nested entry: this guards against a walk
     * that visits entries before checking their length (the bounded work itself is the next test's).
     */
    @Test
    void shouldRejectNestedGroupsOfShortEntriesQuickly()
    {
        final int length = encodeNestedMaxCounts(1);
        final List<String> trees = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new TreeDecoder(), (tree) -> trees.add("tree " + tree.treeId()));

        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> dispatcher.onMessage(TreeEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
        assertSame(RejectReason.MALFORMED, ex.reason());
        assertContains(ex.getMessage(), "group branches", "blockLength=0", "4 bytes", "weight");
        assertEquals(List.of(), trees);
        // the walk's own reads: the outer group's block length and count, and nothing after
        final ReadRecordingBuffer record = recordOf(length);
        assertFalse(new DecoderLayout(new TreeDecoder()).walk(record, 1, TreeEncoder.BLOCK_LENGTH, length));
        assertEquals(2, record.reads());
    }

    @Test
    void shouldWalkLegitimateNestedGroupsOfEmptyEntriesInTimeBoundedByTheRecord()
    {
        // version 0 entries of both groups have no fields, so 0-byte entries are what a version 0 sender sends: the
        // inner groups' 65535 entries each are taken in one step, the outer group's one by one (each holds a header)
        final int length = encodeNestedMaxCounts(0);
        final List<String> trees = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new TreeDecoder(), (tree) ->
            {
                final TreeDecoder.BranchesDecoder branches = tree.branches();
                final TreeDecoder.BranchesDecoder first = branches.next();
                trees.add("tree " + tree.treeId() + " branches=" + branches.count() + " weight=" + first.weight() +
                    " leaves=" + first.leaves().count() + " roots=" + tree.roots().count());
            });

        // a hang guard for the inner entries, which hold nothing to read: a walk taking them one by one, 65535 *
        // 65535 steps, would still be at it
        assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> dispatcher.onMessage(TreeEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
        assertEquals(List.of("tree 3 branches=65535 weight=" + TreeDecoder.BranchesDecoder.weightNullValue() +
            " leaves=65535 roots=0"), trees);
        // the walk's own reads: each group header's block length and count, once (the outer one, then an inner one
        // per outer entry), and no more
        final ReadRecordingBuffer record = recordOf(length);
        assertTrue(new DecoderLayout(new TreeDecoder()).walk(record, 0, TreeEncoder.BLOCK_LENGTH, length));
        assertEquals(2L * (MAX_COUNT + 1), record.reads());

        // one byte short: the last outer entry's inner header runs past the record
        final RejectedMessageException ex = assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> assertThrows(RejectedMessageException.class,
                () -> dispatcher.onMessage(TreeEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length - 1)));
        assertSame(RejectReason.MALFORMED, ex.reason());
        assertContains(ex.getMessage(), "group branches.leaves", "runs past the record");
    }

    @Test
    void shouldDecodeNestedGroupsGroupsAddedLaterAndVarDataInsideEntries()
    {
        final List<String> seen = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new TreeDecoder(), (tree) ->
            {
                final StringBuilder text = new StringBuilder("tree ").append(tree.treeId());
                for (final TreeDecoder.BranchesDecoder branch : tree.branches())
                {
                    text.append(" b").append(branch.weight());
                    for (final TreeDecoder.BranchesDecoder.LeavesDecoder leaf : branch.leaves())
                    {
                        text.append(" l").append(leaf.size());
                    }
                }
                for (final TreeDecoder.RootsDecoder root : tree.roots())
                {
                    text.append(" r").append(root.depth());
                }
                seen.add(text.append(' ').append(tree.label()).toString());
            })
            .register(new GroveDecoder(), (grove) ->
            {
                final StringBuilder text = new StringBuilder("grove ").append(grove.groveId());
                for (final GroveDecoder.TreesDecoder tree : grove.trees())
                {
                    text.append(' ').append(tree.height()).append(':').append(tree.name());
                }
                seen.add(text.append(' ').append(grove.note()).toString());
            });

        final TreeEncoder tree = wrap(new TreeEncoder());
        final TreeEncoder.BranchesEncoder branches = tree.treeId(1).branchesCount(2);
        branches.next().weight(5).leavesCount(2).next().size(6).next().size(7);
        branches.next().weight(8).leavesCount(0);
        tree.rootsCount(1).next().depth(9);
        tree.label("oak");
        final int treeLength = HEADER_LENGTH + tree.encodedLength();
        dispatcher.onMessage(TreeEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, treeLength);

        final GroveEncoder grove = wrap(new GroveEncoder());
        final GroveEncoder.TreesEncoder trees = grove.groveId(2).treesCount(3);
        trees.next().height(10).name("elm");
        trees.next().height(11).name("");
        trees.next().height(12).name("ash");
        grove.note("n");
        final int groveLength = HEADER_LENGTH + grove.encodedLength();
        dispatcher.onMessage(GroveEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, groveLength);

        assertEquals(List.of("tree 1 b5 l6 l7 b8 r9 oak", "grove 2 10:elm 11: 12:ash n"), seen);
        assertEquals(0, dispatcher.rejectedCount());

        // a name inside an entry that runs past the record: named
        final int nameLengthOffset = RECORD_OFFSET + HEADER_LENGTH + GroveEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH +
            GroveEncoder.TreesEncoder.sbeBlockLength();
        buffer.putShort(nameLengthOffset, (short)200, BYTE_ORDER);
        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> dispatcher.onMessage(GroveEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, groveLength));
        assertContains(ex.getMessage(), "var-data trees.name", "length=200", "runs past the record");
    }

    @Test
    void shouldPassEmptyAndLargestGroupsAndVarData()
    {
        final int empty = encodeSensorBatch(0);
        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, empty);
        final int largest = encodeSensorBatch(MessageLengths.MAX_SENSOR_BATCH_READINGS);
        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, largest);
        assertEquals(List.of("batch 0 readings", "batch " + MessageLengths.MAX_SENSOR_BATCH_READINGS + " readings"),
            received);

        final List<String> notes = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new OrderDecoder(), (order) -> notes.add(order.legs().count() + "," + order.noteLength()));
        final byte[] note = new byte[MAX_COUNT - 1];
        final OrderEncoder order = wrap(new OrderEncoder());
        order.orderId(1).price(2).quantity(3).legsCount(0);
        order.putNote(note, 0, note.length);
        dispatcher.onMessage(OrderEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, HEADER_LENGTH + order.encodedLength());
        final OrderEncoder.LegsEncoder legs = wrap(order).orderId(1).price(2).quantity(3).legsCount(MAX_COUNT - 1);
        for (int i = 0; i < MAX_COUNT - 1; i++)
        {
            legs.next().legId(i).ratio(1).side((byte)1);
        }
        order.putNote(note, 0, 0);
        dispatcher.onMessage(OrderEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, HEADER_LENGTH + order.encodedLength());
        assertEquals(List.of("0," + (MAX_COUNT - 1), (MAX_COUNT - 1) + ",0"), notes);
        assertEquals(0, dropping.rejectedCount() + dispatcher.rejectedCount());
    }

    /**
     * An empty group reads no entry, so the block length it declares is not held against the reader's fields.
     */
    @Test
    void shouldAcceptAnEmptyGroupWhateverBlockLengthItDeclares()
    {
        final int length = encodeSensorBatch(0);
        putGroupHeader(SENSOR_BATCH_GROUP_OFFSET, 0, 0);

        throwing.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(List.of("batch 0 readings"), received);
    }

    /**
     * A constant field takes no bytes of its block, though its generated encoding length is its type's size: last in
     * the message block and in a group entry, it must not make the reader's blocks look a byte longer than SBE's.
     * The schema is big-endian and its group header's block length a single byte, so the walk must read the count
     * in the count's own byte order (2 entries, not 512). Both a current and a version 0 sender are read.
     */
    @Test
    void shouldReadConstantFieldsAsNoBytesAndGroupCountsInTheirOwnByteOrder()
    {
        final List<String> trades = new ArrayList<>();
        final SbeDispatcher dispatcher = tradeDispatcher(trades);

        final TradeEncoder trade = wrap(new TradeEncoder()).tradeId(7).price(99);
        trade.fillsCount(2).next().quantity(3).next().quantity(4);
        dispatcher.onMessage(TradeEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, HEADER_LENGTH + trade.encodedLength());

        // version 0 had no price: an 8-byte block, then the same group
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        final int tradeIdOnly = Long.BYTES;
        MessageHeaderDescriptor.write(buffer, RECORD_OFFSET, tradeIdOnly, TradeEncoder.TEMPLATE_ID,
            TradeEncoder.SCHEMA_ID, 0);
        int at = RECORD_OFFSET + HEADER_LENGTH;
        buffer.putLong(at, 8, ByteOrder.BIG_ENDIAN);
        at += tradeIdOnly;
        buffer.putByte(at, (byte)TradeEncoder.FillsEncoder.sbeBlockLength());
        buffer.putShort(at + 1, (short)2, ByteOrder.BIG_ENDIAN);
        at += TradeEncoder.FillsEncoder.sbeHeaderSize();
        buffer.putInt(at, 5, ByteOrder.BIG_ENDIAN);
        buffer.putInt(at + Integer.BYTES, 6, ByteOrder.BIG_ENDIAN);
        at += 2 * Integer.BYTES;
        dispatcher.onMessage(TradeEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, at - RECORD_OFFSET);

        assertEquals(List.of("trade 7 99 BUY 3/SELL 4/SELL",
            "trade 8 " + TradeDecoder.priceNullValue() + " BUY 5/SELL 6/SELL"), trades);
        assertEquals(0, dispatcher.rejectedCount());
    }

    /**
     * docs/CODEC.md: a 32-bit group count above 2^31 - 1, which the decoder's {@code int} count would turn negative,
     * is rejected. Tally's entries take no bytes, so the walk's other checks pass any count: a count of 2^31 - 1
     * reaches the handler as itself, and 2^31 and 2^32 - 1 are rejected as malformed, by both policies, naming the
     * group and the count.
     */
    @Test
    void shouldRejectA32BitGroupCountAboveIntMaxValue()
    {
        final List<Integer> counts = new ArrayList<>();
        final SbeDispatcher lenient = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new TallyDecoder(), (tally) -> counts.add(tally.marks().count()));
        final SbeDispatcher strict = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new TallyDecoder(), (tally) -> counts.add(tally.marks().count()));
        final TallyEncoder tally = wrap(new TallyEncoder()).tallyId(1);
        tally.marksCount(0);
        final int length = HEADER_LENGTH + tally.encodedLength();
        final int countOffset = RECORD_OFFSET + HEADER_LENGTH + TallyEncoder.BLOCK_LENGTH +
            TallyEncoder.MarksEncoder.sbeHeaderSize() - Integer.BYTES;

        for (final long count : new long[]{0, Integer.MAX_VALUE})
        {
            buffer.putInt(countOffset, (int)count, ByteOrder.LITTLE_ENDIAN);
            lenient.onMessage(TallyEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
            strict.onMessage(TallyEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        }
        assertEquals(List.of(0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE), counts);

        final long[] tooLarge = {1L << 31, 0xFFFF_FFFFL};
        for (final long count : tooLarge)
        {
            buffer.putInt(countOffset, (int)count, ByteOrder.LITTLE_ENDIAN);
            lenient.onMessage(TallyEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
            final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
                () -> strict.onMessage(TallyEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
            assertSame(RejectReason.MALFORMED, ex.reason());
            assertContains(ex.getMessage(), "group marks: count=" + count, "above " + Integer.MAX_VALUE);
        }
        assertEquals(tooLarge.length, lenient.rejectedCount(RejectReason.MALFORMED));
        assertEquals(tooLarge.length, lenient.rejectedCount());
        assertEquals(4, counts.size(), "a handler saw a count above 2^31 - 1: " + counts);
    }

    /**
     * docs/CODEC.md: register refuses a group count the decoder reads as signed (DecoderLayoutRefusalTest); an
     * unsigned count whose declared maximum (1000) is below the signed range is not taken for one, and its messages,
     * entries with var-data in them, decode.
     */
    @Test
    void shouldAcceptAnUnsignedGroupCountWithALowMaximum()
    {
        final List<String> lines = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new LimitedDecoder(), (limited) ->
            {
                for (final LimitedDecoder.LinesDecoder line : limited.lines())
                {
                    lines.add(line.amount() + ":" + line.memoLength());
                    line.skipMemo();
                }
            });
        final LimitedEncoder limited = wrap(new LimitedEncoder()).limitedId(1);
        final LimitedEncoder.LinesEncoder entries = limited.linesCount(2);
        entries.next().amount(10).putMemo(new byte[5], 0, 5);
        entries.next().amount(20).putMemo(new byte[0], 0, 0);
        final int length = HEADER_LENGTH + limited.encodedLength();
        dispatcher.onMessage(LimitedEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(List.of("10:5", "20:0"), lines);
    }

    @Test
    void shouldWalkAndRejectGroupsWithoutAllocating()
    {
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new SensorBatchDecoder(), (batch) -> batch.readings());
        final int length = encodeSensorBatch(3);
        final UnsafeBuffer shortEntries = new UnsafeBuffer(new byte[RECORD_OFFSET + length]);
        shortEntries.putBytes(0, buffer, 0, RECORD_OFFSET + length);
        shortEntries.putShort(RECORD_OFFSET + SENSOR_BATCH_GROUP_OFFSET, (short)8, BYTE_ORDER);
        final Runnable traffic = () ->
        {
            for (int i = 0; i < 10_000; i++)
            {
                dispatcher.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
                dispatcher.onMessage(SensorBatchEncoder.TEMPLATE_ID, shortEntries, RECORD_OFFSET, length);
            }
        };
        traffic.run();
        final long allocated = Allocations.allocatedBy(traffic);

        assertTrue(allocated < 10_000, "bytes allocated by 20000 messages: " + allocated);
        assertEquals(20_000, dispatcher.rejectedCount(RejectReason.MALFORMED));
    }

    /**
     * A Tree of the given version: both groups at their largest count, every entry 0 bytes long, each outer entry
     * holding only its inner group's header; about 262 KB, and 65535 * 65535 inner entries for a walk entry by entry.
     */
    private int encodeNestedMaxCounts(final int version)
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        MessageHeaderDescriptor.write(buffer, RECORD_OFFSET, TreeEncoder.BLOCK_LENGTH, TreeEncoder.TEMPLATE_ID,
            TreeEncoder.SCHEMA_ID, version);
        buffer.putLong(RECORD_OFFSET + HEADER_LENGTH, 3, BYTE_ORDER);
        int at = HEADER_LENGTH + TreeEncoder.BLOCK_LENGTH;
        putGroupHeader(at, 0, MAX_COUNT);
        at += GROUP_HEADER_LENGTH;
        for (int i = 0; i < MAX_COUNT; i++)
        {
            putGroupHeader(at, 0, MAX_COUNT);
            at += GROUP_HEADER_LENGTH;
        }
        if (version >= 1)
        {
            putGroupHeader(at, TreeEncoder.RootsEncoder.sbeBlockLength(), 0);
            at += GROUP_HEADER_LENGTH;
            buffer.putShort(RECORD_OFFSET + at, (short)0, BYTE_ORDER);
            at += 2;
        }
        return at;
    }

    /**
     * @return the record at {@link #RECORD_OFFSET} of {@link #buffer}, copied to the start of a buffer that counts the
     * reads made through it, as the dispatcher's view holds it.
     */
    private ReadRecordingBuffer recordOf(final int length)
    {
        final ReadRecordingBuffer record = new ReadRecordingBuffer(length);
        record.putBytes(0, buffer, RECORD_OFFSET, length);
        record.forget();
        return record;
    }

    private void putGroupHeader(final int recordOffset, final int blockLength, final int count)
    {
        buffer.putShort(RECORD_OFFSET + recordOffset, (short)blockLength, BYTE_ORDER);
        buffer.putShort(RECORD_OFFSET + recordOffset + 2, (short)count, BYTE_ORDER);
    }

    /**
     * docs/CODEC.md: on a ring the SBE header is little-endian whatever the schema's byte order, and a bigEndian
     * schema's messages go through SbePublisher and SbeDispatcher: Trade (schema 902, big-endian) claimed, encoded,
     * committed and read back whole, its fields and group in big-endian order and its header little-endian, which the
     * schema's own header decoder, reading big-endian, does not agree with.
     */
    @Test
    void shouldSendABigEndianSchemasMessageThroughThePublisherAndTheDispatcher()
    {
        final TestRing ring = new TestRing(4096, 1024);
        final SbePublisher publisher = new SbePublisher(ring);
        final TradeEncoder trade = new TradeEncoder();
        final int length = HEADER_LENGTH + TradeEncoder.BLOCK_LENGTH + TradeEncoder.FillsEncoder.sbeHeaderSize() +
            2 * TradeEncoder.FillsEncoder.sbeBlockLength();
        final int offset = publisher.tryClaim(trade, length);
        assertTrue(offset > 0);
        trade.tradeId(9).price(77).fillsCount(2).next().quantity(5).next().quantity(6);
        publisher.commit();

        final long header = MessageHeaderDescriptor.header(ring.buffer(), offset);
        assertEquals(TradeEncoder.TEMPLATE_ID, MessageHeaderDescriptor.templateId(header));
        assertEquals(TradeEncoder.SCHEMA_ID, MessageHeaderDescriptor.schemaId(header));
        assertEquals(9L, ring.buffer().getLong(offset + HEADER_LENGTH, ByteOrder.BIG_ENDIAN), "fields big-endian");
        assertFalse(TradeEncoder.TEMPLATE_ID == new io.conduit.codec.sbe.edges.MessageHeaderDecoder()
            .wrap(ring.buffer(), offset).templateId(), "the schema's own header decoder reads big-endian");

        final List<String> trades = new ArrayList<>();
        assertEquals(1, ring.read(tradeDispatcher(trades), 10));
        assertEquals(List.of("trade 9 77 BUY 5/SELL 6/SELL"), trades);
    }

    private static SbeDispatcher tradeDispatcher(final List<String> trades)
    {
        return new SbeDispatcher(UnknownMessagePolicy.THROW).register(new TradeDecoder(), (trade) ->
        {
            final StringBuilder text = new StringBuilder("trade ").append(trade.tradeId()).append(' ')
                .append(trade.price()).append(' ').append(trade.side());
            for (final TradeDecoder.FillsDecoder fill : trade.fills())
            {
                text.append(' ').append(fill.quantity()).append('/').append(fill.kind());
            }
            trades.add(text.toString());
        });
    }

    private SbeDispatcher register(final SbeDispatcher dispatcher)
    {
        return dispatcher.register(new SensorBatchDecoder(), (batch) ->
        {
            final SensorBatchDecoder.ReadingsDecoder readings = batch.readings();
            final int count = readings.count();
            double sum = 0;
            for (final SensorBatchDecoder.ReadingsDecoder reading : readings)
            {
                sum += reading.value() + reading.sensorId() + reading.timestampNs() + reading.unit().value() +
                    reading.quality().value();
            }
            received.add("batch " + count + " readings" + (sum < 0 ? " negative" : ""));
        });
    }

    private int encodeSensorBatch(final int count)
    {
        return SbeDispatcherTest.encodeSensorBatch(buffer, RECORD_OFFSET, count);
    }

    private <E extends MessageEncoderFlyweight> E wrap(final E encoder)
    {
        return SbeDispatcherTest.wrapCleared(buffer, RECORD_OFFSET, encoder);
    }

    private static void assertContains(final String message, final String... parts)
    {
        for (final String part : parts)
        {
            assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
        }
    }
}
