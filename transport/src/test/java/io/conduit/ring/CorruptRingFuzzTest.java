package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.CorruptChannelException;
import io.conduit.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ring whose file another process (or a bad disk) has scribbled on: random words of the header's positions and
 * of the ring are overwritten, then producers and consumers, old and newly attached, keep working on it. Every
 * operation may throw, but only an exception: no store lands outside the ring and the header (guard bytes on both
 * sides of each stay intact), no handler sees a record outside the ring, and nothing loops for ever (the test fails
 * on a hang). Slot pids are scribbled too, so claims of dead producers are skipped, and half the rounds skip every
 * stuck claim at its first check. The rings' hot paths
 * skip Agrona's per-access bounds checks, so this is what proves their own checks cover every offset they use.
 */
class CorruptRingFuzzTest
{
    private static final int GUARD = 256;
    private static final int CAPACITY = 4096;
    private static final byte GUARD_BYTE = 0x5A;
    private static final int ROUNDS = 1_500;
    private static final int[] HEADER_WORDS = {
        TAIL_POSITION_OFFSET, HEAD_POSITION_OFFSET, CLEAN_POSITION_OFFSET, HEAD_CACHE_POSITION_OFFSET,
        MESSAGES_SENT_OFFSET, MESSAGES_RECEIVED_OFFSET, PRODUCER_PID_OFFSET, CONSUMER_PID_OFFSET,
        producerSlotOffset(0) + SLOT_PID_OFFSET, producerSlotOffset(1) + SLOT_PID_OFFSET,
        producerSlotOffset(0) + SLOT_CLAIM_OFFSET, producerSlotOffset(1) + SLOT_CLAIM_OFFSET};

    @ParameterizedTest
    @EnumSource(RingKind.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails
    void shouldOnlyEverThrowOnARingWithScribbledPositionsAndRecords(final RingKind kind)
    {
        final Random random = new Random(kind.ordinal() * 7919L + 17);
        int refused = 0;
        int corrupt = 0;
        long skipped = 0;
        long delivered = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            // header and ring apart, each between guards, so a store just outside either shows
            final UnsafeBuffer headerFile = guarded(FILE_HEADER_LENGTH);
            final UnsafeBuffer ringFile = guarded(CAPACITY);
            final UnsafeBuffer header = new UnsafeBuffer(headerFile, GUARD, FILE_HEADER_LENGTH);
            final UnsafeBuffer ring = new UnsafeBuffer(ringFile, GUARD, CAPACITY);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
            // 0: every stuck claim is skipped at its first check, so the skip paths run too
            final long stuckTimeoutNs = random.nextBoolean() ? 0 : 1_000_000L;

            // a healthy history first: some laps, some of it unread
            final Ring healthy = newRing(kind, header, ring, stuckTimeoutNs);
            final int sent = random.nextInt(200);
            for (int i = 0; i < sent; i++)
            {
                healthy.offer(1 + random.nextInt(5), message, 0, random.nextInt(message.capacity()));
                if (random.nextInt(3) > 0)
                {
                    healthy.read(CHECKING, random.nextInt(8));
                }
            }

            scribble(random, header, ring);

            for (int op = 0; op < 40; op++)
            {
                try
                {
                    final Ring target = random.nextInt(4) == 0 ? newRing(kind, header, ring, stuckTimeoutNs) : healthy;
                    if (random.nextBoolean())
                    {
                        ((AbstractRing)target).checkStuckOnNextRead();
                    }
                    delivered += operate(random, target, message);
                }
                catch (final CorruptChannelException ex)
                {
                    corrupt++;
                }
                catch (final IllegalStateException | IllegalArgumentException ex)
                {
                    refused++;
                }
                if (random.nextInt(10) == 0)
                {
                    scribble(random, header, ring);
                }
            }

            skipped += ((AbstractRing)healthy).recordsSkipped();
            assertGuards(headerFile, FILE_HEADER_LENGTH, "round " + round + ", header");
            assertGuards(ringFile, CAPACITY, "round " + round + ", ring");
        }
        // the paths under test were taken: corruption found (the checks), other refusals (bogus commits and aborts
        // alone give several a round), deliveries, and stuck claims skipped (the skip paths)
        assertTrue(corrupt > ROUNDS / 10, "the scribbling should often have been found corrupt: " + corrupt);
        assertTrue(refused > ROUNDS, "bogus commits and aborts should have been refused: " + refused);
        assertTrue(delivered > ROUNDS, "records should still have been read: " + delivered);
        assertTrue(skipped > 0, "no stuck claim was ever skipped: the skip paths did not run");
    }

    private static Ring newRing(
        final RingKind kind, final UnsafeBuffer header, final UnsafeBuffer ring, final long stuckTimeoutNs)
    {
        return RingKind.SPSC == kind ?
            new SpscRing(header, ring, 504, stuckTimeoutNs, "fuzz-spsc") :
            new MpscRing(header, ring, 504, stuckTimeoutNs, "fuzz-mpsc");
    }

    private static UnsafeBuffer guarded(final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(GUARD + length + GUARD));
        buffer.setMemory(0, GUARD, GUARD_BYTE);
        buffer.setMemory(GUARD + length, GUARD, GUARD_BYTE);
        return buffer;
    }

    private static void assertGuards(final UnsafeBuffer buffer, final int length, final String what)
    {
        for (int i = 0; i < GUARD; i++)
        {
            assertEquals(GUARD_BYTE, buffer.getByte(i), what + ": byte " + (GUARD - i) + " before");
            assertEquals(GUARD_BYTE, buffer.getByte(GUARD + length + i), what + ": byte " + i + " after");
        }
    }

    /**
     * @return messages delivered by the operation.
     */
    private static int operate(final Random random, final Ring target, final UnsafeBuffer message)
    {
        switch (random.nextInt(5))
        {
            case 0:
                target.offer(1 + random.nextInt(5), message, 0, random.nextInt(message.capacity()));
                break;
            case 1:
                final int offset = target.tryClaim(2, random.nextInt(300));
                if (offset > 0)
                {
                    if (random.nextBoolean())
                    {
                        target.commit(offset);
                    }
                    else
                    {
                        target.abort(offset);
                    }
                }
                break;
            case 2:
                return target.read(CHECKING, 1 + random.nextInt(16));
            case 3:
                return target.controlledRead(CONTROLLED, 1 + random.nextInt(16));
            default:
                // a commit or abort of an offset that was never claimed
                final int bogus = random.nextInt(CAPACITY + 64) - 32;
                if (random.nextBoolean())
                {
                    target.commit(bogus);
                }
                else
                {
                    target.abort(bogus);
                }
                break;
        }
        return 0;
    }

    /**
     * Overwrite one to three words: header positions and counters, or record words in the ring, with values near
     * the real ones (off by a byte, a word, a line, a capacity) or anything at all.
     */
    private static void scribble(final Random random, final UnsafeBuffer header, final UnsafeBuffer ring)
    {
        final int words = 1 + random.nextInt(3);
        for (int i = 0; i < words; i++)
        {
            if (random.nextBoolean())
            {
                final int field = HEADER_WORDS[random.nextInt(HEADER_WORDS.length)];
                header.putLong(field, nudge(random, header.getLong(field)));
            }
            else
            {
                final int offset = random.nextInt(CAPACITY / Long.BYTES) * Long.BYTES;
                ring.putLong(offset, nudge(random, ring.getLong(offset)));
            }
        }
    }

    private static long nudge(final Random random, final long value)
    {
        switch (random.nextInt(6))
        {
            case 0:
                return value + (random.nextBoolean() ? 1 : -1);
            case 1:
                return value + (random.nextBoolean() ? 8 : -8);
            case 2:
                return value + (random.nextBoolean() ? 64 : -64);
            case 3:
                return value + (random.nextBoolean() ? CAPACITY : -CAPACITY);
            case 4:
                return RecordDescriptor.makeHeader(random.nextInt(2 * CAPACITY) - CAPACITY, random.nextInt(7) - 1);
            default:
                return random.nextLong();
        }
    }

    private static final MessageHandler CHECKING = (typeId, buffer, offset, length) ->
    {
        if (length < 0 || offset < 0 || offset + length > buffer.capacity())
        {
            throw new AssertionError("handler given a record outside the ring: offset=" + offset + " length=" + length);
        }
    };

    private static final ControlledMessageHandler CONTROLLED = (typeId, buffer, offset, length) ->
    {
        CHECKING.onMessage(typeId, buffer, offset, length);
        return ControlledMessageHandler.Action.values()[(offset >> 6) & 3];
    };
}
