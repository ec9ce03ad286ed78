package io.conduit.file;

import io.conduit.CorruptChannelException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The channel file header layout: every field naturally aligned, inside its line, overlapping no other field, fields
 * written by different sides in different 128-byte blocks, and the total length the Javadoc diagram shows.
 */
class ChannelFileDescriptorTest
{
    /** The lines of the header, by first offset, and who writes them. */
    static final Map<String, Integer> LINES = new LinkedHashMap<>();
    /** Every field of the header outside the producer slots: name, offset, length. */
    static final List<FieldSpec> FIELDS = new ArrayList<>();
    /** Fields of a producer slot, relative to the slot. */
    static final List<FieldSpec> SLOT_FIELDS = List.of(
        new FieldSpec("SLOT_PID_OFFSET", SLOT_PID_OFFSET, Long.BYTES, "slot"),
        new FieldSpec("SLOT_CLAIM_OFFSET", SLOT_CLAIM_OFFSET, Long.BYTES, "slot"),
        new FieldSpec("SLOT_SPACE_SLEEPERS_OFFSET", SLOT_SPACE_SLEEPERS_OFFSET, Long.BYTES, "slot"),
        new FieldSpec("SLOT_MESSAGES_SENT_OFFSET", SLOT_MESSAGES_SENT_OFFSET, Long.BYTES, "slot"),
        new FieldSpec("SLOT_OWNER_MESSAGES_SENT_OFFSET", SLOT_OWNER_MESSAGES_SENT_OFFSET, Long.BYTES, "slot"),
        new FieldSpec("SLOT_BIAS_SECTION_OFFSET", SLOT_BIAS_SECTION_OFFSET, Long.BYTES, "slot"));

    static
    {
        LINES.put("descriptor", MAGIC_OFFSET);
        LINES.put("producer", PRODUCER_LINE_OFFSET);
        LINES.put("head cache", HEAD_CACHE_LINE_OFFSET);
        LINES.put("consumer", CONSUMER_LINE_OFFSET);
        LINES.put("data futex", DATA_FUTEX_LINE_OFFSET);
        LINES.put("space futex", SPACE_FUTEX_LINE_OFFSET);
        LINES.put("clean", CLEAN_LINE_OFFSET);
        LINES.put("bias", BIAS_LINE_OFFSET);

        field("MAGIC_OFFSET", MAGIC_OFFSET, Long.BYTES, "descriptor");
        field("LAYOUT_VERSION_OFFSET", LAYOUT_VERSION_OFFSET, Integer.BYTES, "descriptor");
        field("RING_KIND_OFFSET", RING_KIND_OFFSET, Integer.BYTES, "descriptor");
        field("CAPACITY_OFFSET", CAPACITY_OFFSET, Integer.BYTES, "descriptor");
        field("MAX_MESSAGE_LENGTH_OFFSET", MAX_MESSAGE_LENGTH_OFFSET, Integer.BYTES, "descriptor");
        field("FILE_LENGTH_OFFSET", FILE_LENGTH_OFFSET, Long.BYTES, "descriptor");
        field("CREATION_TIME_OFFSET", CREATION_TIME_OFFSET, Long.BYTES, "descriptor");
        field("HEADER_LENGTH_OFFSET", HEADER_LENGTH_OFFSET, Integer.BYTES, "descriptor");
        field("STUCK_CLAIM_TIMEOUT_OFFSET", STUCK_CLAIM_TIMEOUT_OFFSET, Long.BYTES, "descriptor");

        field("TAIL_POSITION_OFFSET", TAIL_POSITION_OFFSET, Long.BYTES, "producer");
        field("MESSAGES_SENT_OFFSET", MESSAGES_SENT_OFFSET, Long.BYTES, "producer");
        field("BACK_PRESSURE_EVENTS_OFFSET", BACK_PRESSURE_EVENTS_OFFSET, Long.BYTES, "producer");
        field("PRODUCER_PID_OFFSET", PRODUCER_PID_OFFSET, Long.BYTES, "producer");
        field("PRODUCER_HEARTBEAT_OFFSET", PRODUCER_HEARTBEAT_OFFSET, Long.BYTES, "producer");

        field("HEAD_CACHE_POSITION_OFFSET", HEAD_CACHE_POSITION_OFFSET, Long.BYTES, "head cache");

        field("HEAD_POSITION_OFFSET", HEAD_POSITION_OFFSET, Long.BYTES, "consumer");
        field("CLEAN_POSITION_OFFSET", CLEAN_POSITION_OFFSET, Long.BYTES, "clean");
        field("BIAS_REVOKED_TAIL_OFFSET", BIAS_REVOKED_TAIL_OFFSET, Long.BYTES, "bias");
        field("MESSAGES_RECEIVED_OFFSET", MESSAGES_RECEIVED_OFFSET, Long.BYTES, "consumer");
        field("BYTES_RECEIVED_OFFSET", BYTES_RECEIVED_OFFSET, Long.BYTES, "consumer");
        field("RECORDS_SKIPPED_OFFSET", RECORDS_SKIPPED_OFFSET, Long.BYTES, "consumer");
        field("CONSUMER_PID_OFFSET", CONSUMER_PID_OFFSET, Long.BYTES, "consumer");
        field("CONSUMER_HEARTBEAT_OFFSET", CONSUMER_HEARTBEAT_OFFSET, Long.BYTES, "consumer");

        field("DATA_FUTEX_WORD_OFFSET", DATA_FUTEX_WORD_OFFSET, Integer.BYTES, "data futex");
        field("DATA_WAITERS_OFFSET", DATA_WAITERS_OFFSET, Integer.BYTES, "data futex");
        field("DATA_WAKE_UPS_OFFSET", DATA_WAKE_UPS_OFFSET, Long.BYTES, "data futex");
        field("DATA_DEAF_WAKERS_OFFSET", DATA_DEAF_WAKERS_OFFSET, Integer.BYTES, "data futex");

        field("SPACE_FUTEX_WORD_OFFSET", SPACE_FUTEX_WORD_OFFSET, Integer.BYTES, "space futex");
        field("SPACE_WAITERS_OFFSET", SPACE_WAITERS_OFFSET, Integer.BYTES, "space futex");
        field("SPACE_WAKE_UPS_OFFSET", SPACE_WAKE_UPS_OFFSET, Long.BYTES, "space futex");
        field("SPACE_DEAF_WAKERS_OFFSET", SPACE_DEAF_WAKERS_OFFSET, Integer.BYTES, "space futex");
    }

    @Test
    void shouldRecordAClaimsPositionAndLengthInOneWord()
    {
        final long longest = (long)MAX_CAPACITY + MAX_CAPACITY / 8; // wrap padding and the longest record
        final long[] positions = {0, 64, 1L << 40, (1L << 44) - 64, 1L << 44, (1L << 44) + 128, Long.MAX_VALUE & -64L};
        for (final long position : positions)
        {
            for (final long length : new long[]{64, 4096, longest})
            {
                final long claim = slotClaim(position, length);
                assertNotEquals(0, claim);
                assertEquals(length, slotClaimLength(claim), "length at position=" + position);
                // distances from positions around the claim, as a consumer or a producer asks them
                // up to 8 TiB either way, where the docs say the distance is exact
                for (final long delta : new long[]{0, 64, length - 64, length, MAX_CAPACITY, -64, -(long)MAX_CAPACITY,
                    (1L << 43) - 64, -(1L << 43) + 64})
                {
                    if (position + delta >= 0)
                    {
                        assertEquals(delta, slotClaimDistance(claim, position + delta),
                            "position=" + position + " length=" + length + " delta=" + delta);
                    }
                }
            }
        }
        assertEquals(0, slotClaimLength(0));
    }

    @Test
    void shouldClassifyEveryOffsetConstant() throws Exception
    {
        final Set<String> known = new TreeSet<>();
        FIELDS.forEach(field -> known.add(field.name));
        SLOT_FIELDS.forEach(field -> known.add(field.name));
        known.addAll(List.of("PRODUCER_LINE_OFFSET", "HEAD_CACHE_LINE_OFFSET", "CONSUMER_LINE_OFFSET",
            "DATA_FUTEX_LINE_OFFSET", "SPACE_FUTEX_LINE_OFFSET", "CLEAN_LINE_OFFSET", "BIAS_LINE_OFFSET",
            "PRODUCER_SLOTS_OFFSET"));

        final Set<String> declared = new TreeSet<>();
        for (final Field field : ChannelFileDescriptor.class.getFields())
        {
            if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_OFFSET"))
            {
                declared.add(field.getName());
            }
        }
        assertEquals(declared, known, "a field was added to the layout: give it a line and a length here");
    }

    @Test
    void shouldAlignEveryFieldNaturally()
    {
        for (final FieldSpec field : FIELDS)
        {
            assertEquals(0, field.offset % field.length, field + " is not aligned to its length");
        }
        for (final FieldSpec field : SLOT_FIELDS)
        {
            assertEquals(0, field.offset % field.length, field + " is not aligned to its length");
        }
    }

    /**
     * The brief asked for every offset to be 8-aligned; the 32-bit fields (ring kind, max message length, the futex
     * words and waiter counts) are 4-aligned by design, as futex(2) needs, so the rule that holds is: every long on
     * an 8-byte boundary.
     */
    @Test
    void shouldPutEveryLongOnAnEightByteBoundary()
    {
        for (final FieldSpec field : FIELDS)
        {
            if (Long.BYTES == field.length)
            {
                assertEquals(0, field.offset % Long.BYTES, field.toString());
            }
        }
        for (int slot = 0; slot < MAX_PRODUCERS; slot++)
        {
            for (final FieldSpec field : SLOT_FIELDS)
            {
                assertEquals(0, (producerSlotOffset(slot) + field.offset) % Long.BYTES, field + " slot " + slot);
            }
        }
    }

    @Test
    void shouldStartEveryLineOnItsOwn128ByteBlock()
    {
        assertEquals(128, LINE_LENGTH);
        final Set<Integer> blocks = new TreeSet<>();
        for (final Map.Entry<String, Integer> line : LINES.entrySet())
        {
            assertEquals(0, line.getValue() % LINE_LENGTH, line.getKey() + " line at " + line.getValue());
            assertTrue(blocks.add(line.getValue() / LINE_LENGTH), line.getKey() + " shares a block");
        }
        for (int slot = 0; slot < MAX_PRODUCERS; slot++)
        {
            assertEquals(0, producerSlotOffset(slot) % LINE_LENGTH, "slot " + slot);
            assertTrue(blocks.add(producerSlotOffset(slot) / LINE_LENGTH), "slot " + slot + " shares a block");
        }
    }

    @Test
    void shouldKeepEveryFieldInsideItsLine()
    {
        for (final FieldSpec field : FIELDS)
        {
            final int lineStart = LINES.get(field.line);
            assertTrue(field.offset >= lineStart && field.offset + field.length <= lineStart + LINE_LENGTH,
                field + " is outside its line at " + lineStart);
        }
        for (final FieldSpec field : SLOT_FIELDS)
        {
            assertTrue(field.offset >= 0 && field.offset + field.length <= PRODUCER_SLOT_LENGTH, field.toString());
        }
    }

    /**
     * Fields written by different sides (producers, the consumer, futex waiters and wakers, each producer slot's
     * owner) must sit in different 128-byte aligned blocks, so that neither a cache line nor the pair of lines the
     * adjacent-line prefetcher fetches together holds fields of two sides. With every line 128-aligned (checked
     * above) the starts of two lines are at least 128 bytes apart.
     */
    @Test
    void shouldSeparateHotFieldsOfDifferentSidesByAtLeast128Bytes()
    {
        final List<FieldSpec> hot = new ArrayList<>();
        for (final FieldSpec field : FIELDS)
        {
            if (!"descriptor".equals(field.line))
            {
                hot.add(field);
            }
        }
        for (int slot = 0; slot < MAX_PRODUCERS; slot++)
        {
            for (final FieldSpec field : SLOT_FIELDS)
            {
                hot.add(new FieldSpec(field.name + "[" + slot + "]", producerSlotOffset(slot) + field.offset,
                    field.length, "slot " + slot));
            }
        }
        for (final FieldSpec a : hot)
        {
            for (final FieldSpec b : hot)
            {
                if (!a.line.equals(b.line))
                {
                    assertNotEquals(a.offset / LINE_LENGTH, b.offset / LINE_LENGTH, a + " and " + b);
                }
            }
        }
        assertTrue(HEAD_POSITION_OFFSET - TAIL_POSITION_OFFSET >= 2 * LINE_LENGTH,
            "head and tail, the hottest pair, are two lines apart");
    }

    @Test
    void shouldNotOverlapAnyFields()
    {
        final List<FieldSpec> all = new ArrayList<>(FIELDS);
        for (int slot = 0; slot < MAX_PRODUCERS; slot++)
        {
            for (final FieldSpec field : SLOT_FIELDS)
            {
                all.add(new FieldSpec(field.name + "[" + slot + "]", producerSlotOffset(slot) + field.offset,
                    field.length, "slot " + slot));
            }
        }
        all.sort((a, b) -> Integer.compare(a.offset, b.offset));
        for (int i = 1; i < all.size(); i++)
        {
            final FieldSpec before = all.get(i - 1);
            final FieldSpec after = all.get(i);
            assertTrue(before.offset + before.length <= after.offset, before + " overlaps " + after);
        }
        final FieldSpec last = all.get(all.size() - 1);
        assertTrue(last.offset + last.length <= FILE_HEADER_LENGTH, last + " runs past the header");
        assertTrue(SPACE_WAKE_UPS_OFFSET + Long.BYTES <= CLEAN_LINE_OFFSET);
        assertTrue(BIAS_LINE_OFFSET < PRODUCER_SLOTS_OFFSET);
    }

    @Test
    void shouldHaveTheDocumentedTotalLength()
    {
        assertEquals(1024, PRODUCER_SLOTS_OFFSET, "diagram: producer slots at 1024");
        assertEquals(32, MAX_PRODUCERS);
        assertEquals(128, PRODUCER_SLOT_LENGTH);
        assertEquals(5120, FILE_HEADER_LENGTH, "diagram: 5120 = FILE_HEADER_LENGTH");
        assertEquals(PRODUCER_SLOTS_OFFSET + MAX_PRODUCERS * PRODUCER_SLOT_LENGTH, FILE_HEADER_LENGTH);
        assertEquals(producerSlotOffset(MAX_PRODUCERS - 1) + PRODUCER_SLOT_LENGTH, FILE_HEADER_LENGTH);
        assertEquals(0, FILE_HEADER_LENGTH % LINE_LENGTH, "the ring starts on a block of its own");
        assertEquals(FILE_HEADER_LENGTH + 65536L, fileLength(65536));
        assertEquals(FILE_HEADER_LENGTH + (long)MAX_CAPACITY, fileLength(MAX_CAPACITY));
    }

    @Test
    void shouldMatchTheDiagramOffsets()
    {
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(128, PRODUCER_LINE_OFFSET);
        assertEquals(256, HEAD_CACHE_LINE_OFFSET);
        assertEquals(384, CONSUMER_LINE_OFFSET);
        assertEquals(512, DATA_FUTEX_LINE_OFFSET);
        assertEquals(640, SPACE_FUTEX_LINE_OFFSET);
        assertEquals(768, CLEAN_LINE_OFFSET);
        assertEquals(896, BIAS_LINE_OFFSET);
    }

    @Test
    void shouldSpellConduitInTheMagic()
    {
        final byte[] bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(MAGIC).array();
        assertEquals("CONDUIT\0", new String(bytes, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldCheckCapacityAndMaxMessageLength()
    {
        checkCapacity(MIN_CAPACITY);
        checkCapacity(MAX_CAPACITY);
        assertThrows(IllegalArgumentException.class, () -> checkCapacity(MIN_CAPACITY / 2));
        assertThrows(IllegalArgumentException.class, () -> checkCapacity(MIN_CAPACITY + 8));
        assertThrows(IllegalArgumentException.class, () -> checkCapacity(-MIN_CAPACITY));
        assertEquals(4096 / 8 - 8, defaultMaxMessageLength(4096));
        checkMaxMessageLength(0, 4096);
        checkMaxMessageLength(defaultMaxMessageLength(4096), 4096);
        assertThrows(IllegalArgumentException.class, () -> checkMaxMessageLength(-1, 4096));
        assertThrows(IllegalArgumentException.class,
            () -> checkMaxMessageLength(defaultMaxMessageLength(4096) + 1, 4096));
    }

    @Test
    void shouldNameFileFieldExpectedAndActualInFieldError()
    {
        final CorruptChannelException ex = fieldError(Path.of("/x/y.conduit"), "capacity", "a power of two", 1000);
        assertTrue(ex.getMessage().contains("capacity=1000"), ex.getMessage());
        assertTrue(ex.getMessage().contains("a power of two"), ex.getMessage());
        assertTrue(ex.getMessage().contains("/x/y.conduit"), ex.getMessage());
    }

    private static void field(final String name, final int offset, final int length, final String line)
    {
        FIELDS.add(new FieldSpec(name, offset, length, line));
    }

    /**
     * One field of the layout.
     */
    static final class FieldSpec
    {
        final String name;
        final int offset;
        final int length;
        final String line;

        FieldSpec(final String name, final int offset, final int length, final String line)
        {
            this.name = name;
            this.offset = offset;
            this.length = length;
            this.line = line;
        }

        @Override
        public String toString()
        {
            return name + "@" + offset + "+" + length + " (" + line + ")";
        }
    }
}
