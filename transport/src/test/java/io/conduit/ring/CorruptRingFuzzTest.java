package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.CorruptChannelException;
import io.conduit.MessageHandler;
import io.conduit.wait.AsymmetricFence;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.RecordDescriptor.ALIGNMENT;
import static io.conduit.ring.RecordDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A ring whose file another process (or a bad disk) has scribbled on: header positions, pids, producer slots' claim
 * and bias section words, and record headers (most near the head, where the consumer reads) are overwritten, then
 * producers and consumers, old and newly attached, keep working on it. Every operation either does its work
 * correctly (a handler sees only whole records inside the ring, as their committed headers say) or throws a
 * {@link CorruptChannelException} naming the field, the expected and the actual value; the only other exceptions are
 * a role held by another live process and the refusals of commits and aborts of offsets never claimed. No store lands
 * outside the ring and the header (guard bytes on both sides of each stay intact), in half the rounds every access to
 * the ring goes through Agrona's bounds checks (so a read out of range throws too), and no read runs for ever (the
 * test fails on a hang). Every check that throws is reached, so a check that is dropped fails here.
 * <p>
 * The rings' hot paths skip Agrona's per-access bounds checks, so this is what proves their own checks cover every
 * offset and length they read. Deterministic from its seed: stuck claim timeouts are 0 or an hour, and pid words are
 * scribbled only to processes known live or dead.
 */
class CorruptRingFuzzTest
{
    private static final int GUARD = 256;
    private static final int CAPACITY = 4096;
    private static final int MAX_MESSAGE_LENGTH = 504;
    private static final byte GUARD_BYTE = 0x5A;
    private static final int ROUNDS = 3_000;
    private static final long NEVER_NS = TimeUnit.HOURS.toNanos(1);
    private static final int[] POSITION_WORDS = {
        TAIL_POSITION_OFFSET, HEAD_POSITION_OFFSET, CLEAN_POSITION_OFFSET, HEAD_CACHE_POSITION_OFFSET,
        BIAS_REVOKED_TAIL_OFFSET, MESSAGES_SENT_OFFSET, MESSAGES_RECEIVED_OFFSET};
    private static final int[] PID_WORDS = {
        PRODUCER_PID_OFFSET, CONSUMER_PID_OFFSET,
        producerSlotOffset(0) + SLOT_PID_OFFSET, producerSlotOffset(1) + SLOT_PID_OFFSET};
    /** This process, another live one, none, and one that cannot be alive. */
    private static final long[] PIDS = {
        ProcessHandle.current().pid(), ProcessHandle.current().parent().orElseThrow().pid(), 0,
        MpscDeadClaimTest.DEAD_PID};
    private static final Pattern CORRUPT = Pattern.compile(
        "channel file ring: ([a-zA-Z ()-]+)=-?\\d+ expected .+ at position=-?\\d+ file=fuzz-(spsc|mpsc)");
    /** Methods that validate for several callers: a check is named by its caller. */
    private static final Set<String> VALIDATORS =
        Set.of("corrupt", "corruptTag", "recordsAllRound", "checkPositions", "checkClean");
    /**
     * Every check a ring makes that throws on what it read from the file: the field named, and the method that
     * checks it.
     */
    private static final Map<RingKind, Set<String>> CHECKS = Map.of(
        RingKind.SPSC, Set.of(
            "headPosition@attachConsumer", "tailPosition@attachConsumer", "tailPosition - headPosition@attachConsumer",
            "headPosition@recoverClaims", "tailPosition@recoverClaims", "tailPosition - headPosition@recoverClaims",
            "headPosition@zeroAhead", "tailPosition@zeroAhead", "tailPosition - headPosition@zeroAhead",
            "record frameLength@recoverClaims", "records from head@recoverClaims",
            "record frameLength@onNotCommitted", "record frameLength@checkRecord", "padding frameLength@checkRecord",
            "record typeId@checkRecord", "records from head@read", "records from head@controlledRead",
            "message end@checkBelowTail", "unmarked claim length (tail - head)@skipUnmarkedClaim",
            "claim end@checkClaimBelowTail", "record end@recoverClaims", "padding end@checkPaddingBelowTail"),
        RingKind.MPSC, Set.of(
            "headPosition@attachConsumer", "tailPosition@attachConsumer", "tailPosition - headPosition@attachConsumer",
            "cleanPosition@attachConsumer", "cleanPosition@tryClaimShared", "cleanPosition@tryClaimBiased",
            "tailPosition@tryClaimShared", "tailPosition bias tag@loadTail", "tailPosition bias tag@revokeBias",
            "record frameLength@onNotCommitted", "record frameLength@checkRecord", "padding frameLength@checkRecord",
            "record typeId@checkRecord", "records from head@read", "records from head@controlledRead",
            "message end@checkBelowTail", "claim end@checkClaimBelowTail",
            "tailPosition - headPosition@skipUnmarkedClaim", "padding end@checkPaddingBelowTail"));

    private enum Op
    {
        OFFER, CLAIM_THEN_COMMIT_OR_ABORT, READ, CONTROLLED_READ, SIZE, BOGUS_COMMIT_OR_ABORT
    }

    /**
     * A ring region of another class than {@link UnsafeBuffer}: the ring reaches it through its bounds-checked
     * methods ({@link RingMemory.Delegating}), so an offset out of range throws even for a read.
     */
    private static final class CheckedBuffer extends UnsafeBuffer
    {
        CheckedBuffer(final UnsafeBuffer file)
        {
            super(file, GUARD, CAPACITY);
        }
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails
    void shouldReadCorrectlyOrNameTheCorruptFieldOnARingWithScribbledHeaderAndRecords(final RingKind kind)
    {
        final Random random = new Random(kind.ordinal() * 7919L + 17);
        final Map<String, Integer> checksReached = new TreeMap<>();
        int refused = 0;
        long skipped = 0;
        long delivered = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            // header and ring apart, each between guards, so a store just outside either shows
            final UnsafeBuffer headerFile = guarded(FILE_HEADER_LENGTH);
            final UnsafeBuffer ringFile = guarded(CAPACITY);
            final UnsafeBuffer header = new UnsafeBuffer(headerFile, GUARD, FILE_HEADER_LENGTH);
            final UnsafeBuffer ring = random.nextBoolean() ?
                new UnsafeBuffer(ringFile, GUARD, CAPACITY) : new CheckedBuffer(ringFile);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[256]);
            // 0: every stuck claim is skipped at its first check, so the skip paths run too
            final long stuckTimeoutNs = random.nextBoolean() ? 0 : NEVER_NS;
            // one ring object throughout (an MPSC one keeps its bias), or new ones attaching now and then
            final boolean alone = random.nextBoolean();

            // a healthy history first: some laps, some of it unread, and in half the rounds a full ring, where every
            // claim checks the space left against the positions
            final Ring healthy = newRing(kind, header, ring, stuckTimeoutNs);
            if (random.nextBoolean())
            {
                healthy.read(CHECKING, 0); // the consumer attaches first: an MPSC producer then keeps its bias
            }
            final int sent = random.nextInt(200);
            for (int i = 0; i < sent; i++)
            {
                healthy.offer(1 + random.nextInt(5), message, 0, random.nextInt(message.capacity()));
                if (random.nextInt(3) > 0)
                {
                    healthy.read(CHECKING, random.nextInt(8)); // checked by CHECKING; not counted below
                }
            }
            if (random.nextBoolean())
            {
                while (healthy.offer(1, message, 0, random.nextInt(message.capacity())))
                {
                    // until refused
                }
            }

            scribble(random, header, ring);

            for (int i = 0; i < 40; i++)
            {
                final Op op = Op.values()[random.nextInt(Op.values().length)];
                try
                {
                    final Ring target = alone || random.nextInt(4) > 0 ?
                        healthy : newRing(kind, header, ring, stuckTimeoutNs);
                    if (random.nextBoolean())
                    {
                        ((AbstractRing)target).checkStuckOnNextRead();
                    }
                    delivered += operate(random, op, target, message);
                }
                catch (final CorruptChannelException ex)
                {
                    checksReached.merge(checkOf(ex), 1, Integer::sum);
                }
                catch (final IllegalStateException | IllegalArgumentException ex)
                {
                    assertRefusal(op, ex);
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
        final Set<String> checks = new TreeSet<>(CHECKS.get(kind));
        if (!AsymmetricFence.registerLightSide() || MpscRing.BIAS_DISABLED)
        {
            checks.remove("cleanPosition@tryClaimBiased"); // no producer takes the bias here
        }
        assertEquals(checks, checksReached.keySet(), "checks reached, times: " + checksReached);
        assertTrue(refused > ROUNDS, "bogus commits and aborts should have been refused: " + refused);
        assertTrue(delivered > ROUNDS, "records should still have been read after the scribbles: " + delivered);
        assertTrue(skipped > 0, "no stuck claim was ever skipped: the skip paths did not run");
    }

    private static Ring newRing(
        final RingKind kind, final UnsafeBuffer header, final UnsafeBuffer ring, final long stuckTimeoutNs)
    {
        return RingKind.SPSC == kind ?
            new SpscRing(header, ring, MAX_MESSAGE_LENGTH, stuckTimeoutNs, "fuzz-spsc") :
            new MpscRing(header, ring, MAX_MESSAGE_LENGTH, stuckTimeoutNs, "fuzz-mpsc");
    }

    /**
     * @return the check that threw: the field it names and the method that made it.
     */
    private static String checkOf(final CorruptChannelException ex)
    {
        final Matcher matcher = CORRUPT.matcher(ex.getMessage());
        if (!matcher.matches())
        {
            throw new AssertionError("does not name field, expected and actual value, position and file", ex);
        }
        for (final StackTraceElement frame : ex.getStackTrace())
        {
            if (!VALIDATORS.contains(frame.getMethodName()))
            {
                return matcher.group(1) + "@" + frame.getMethodName();
            }
        }
        throw new AssertionError("no caller", ex);
    }

    /**
     * Apart from corruption, a ring refuses only a role another live process holds, and a commit or abort of an
     * offset that holds no live claim (never claimed, skipped, or scribbled over).
     */
    private static void assertRefusal(final Op op, final RuntimeException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final boolean role = ex instanceof IllegalStateException && message.startsWith("channel already has a live ");
        final boolean notAClaim = Op.BOGUS_COMMIT_OR_ABORT == op && (message.contains("is not a claim") ||
            message.contains("is not a live claim") || message.contains("is padding") ||
            message.contains("was skipped by the consumer"));
        if (!role && !notAClaim)
        {
            fail(op + " threw neither a CorruptChannelException nor a refusal", ex);
        }
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
    private static int operate(final Random random, final Op op, final Ring target, final UnsafeBuffer message)
    {
        switch (op)
        {
            case OFFER:
                target.offer(1 + random.nextInt(5), message, 0, random.nextInt(message.capacity()));
                return 0;
            case CLAIM_THEN_COMMIT_OR_ABORT:
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
                return 0;
            case READ:
                return target.read(CHECKING, random.nextBoolean() ? 1 + random.nextInt(16) : Integer.MAX_VALUE);
            case CONTROLLED_READ:
                // a whole ring's worth only without COMMIT: a COMMIT moves the point a lap is counted from, so an SPSC
                // ring of records all the way round is refused only by the tail check, once a lap (RingContractTest)
                return random.nextBoolean() ? target.controlledRead(CONTROLLED, 1 + random.nextInt(16)) :
                    target.controlledRead(CONTINUING, Integer.MAX_VALUE);
            case SIZE:
                final int size = target.size();
                assertTrue(size >= 0 && size <= CAPACITY, "size=" + size);
                return 0;
            default:
                final int bogus = random.nextInt(CAPACITY + 64) - 32;
                if (random.nextBoolean())
                {
                    target.commit(bogus);
                }
                else
                {
                    target.abort(bogus);
                }
                return 0;
        }
    }

    /**
     * Overwrite one to three words: positions and counters with values near the real ones; pids with a live, a dead
     * or no process; a producer slot's claim with one near the head or the tail; a bias section, or a bias holder
     * killed inside its section; record headers, most near the head.
     */
    private static void scribble(final Random random, final UnsafeBuffer header, final UnsafeBuffer ring)
    {
        final int words = 1 + random.nextInt(3);
        for (int i = 0; i < words; i++)
        {
            final int slot = producerSlotOffset(random.nextInt(2));
            switch (random.nextInt(8))
            {
                case 0:
                case 1:
                    final int field = POSITION_WORDS[random.nextInt(POSITION_WORDS.length)];
                    header.putLong(field, nudge(random, header.getLong(field)));
                    break;
                case 2:
                    header.putLong(PID_WORDS[random.nextInt(PID_WORDS.length)], PIDS[random.nextInt(PIDS.length)]);
                    break;
                case 3:
                    final long near = random.nextBoolean() ?
                        header.getLong(HEAD_POSITION_OFFSET) : header.getLong(TAIL_POSITION_OFFSET) & -ALIGNMENT;
                    header.putLong(slot + SLOT_CLAIM_OFFSET, slotClaim(near + ALIGNMENT * (random.nextInt(9) - 4),
                        (long)ALIGNMENT * random.nextInt(2 * CAPACITY / ALIGNMENT + 8)));
                    break;
                case 4:
                    if (random.nextBoolean())
                    {
                        header.putLong(slot + SLOT_BIAS_SECTION_OFFSET, random.nextBoolean() ?
                            random.nextInt(4) : random.nextLong());
                    }
                    else
                    {
                        // killed inside its claim section, its claim at the tail recorded (or not)
                        header.putLong(slot + SLOT_PID_OFFSET, MpscDeadClaimTest.DEAD_PID);
                        header.putLong(slot + SLOT_BIAS_SECTION_OFFSET, MpscRing.SECTION_CLAIM);
                        header.putLong(slot + SLOT_CLAIM_OFFSET, slotClaim(header.getLong(TAIL_POSITION_OFFSET) &
                            -ALIGNMENT, (long)ALIGNMENT * random.nextInt(CAPACITY / ALIGNMENT + 2)));
                    }
                    break;
                case 5:
                    // a stray commit where the next claim goes (a late commit landing a lap on, say), of a line or more
                    final int length = random.nextBoolean() ?
                        HEADER_LENGTH + random.nextInt(ALIGNMENT - HEADER_LENGTH + 1) : random.nextInt(CAPACITY + 1);
                    ring.putLong(lineAt(header.getLong(TAIL_POSITION_OFFSET)), RecordDescriptor.makeHeader(length,
                        random.nextBoolean() ? RecordDescriptor.PADDING_TYPE_ID : 1 + random.nextInt(5)));
                    break;
                default:
                    final int position = random.nextBoolean() ? HEAD_POSITION_OFFSET : TAIL_POSITION_OFFSET;
                    final int offset = random.nextBoolean() ?
                        lineNear(random, header.getLong(position)) : random.nextInt(CAPACITY / Long.BYTES) * Long.BYTES;
                    ring.putLong(offset, nudge(random, ring.getLong(offset)));
                    break;
            }
        }
    }

    /**
     * @return the offset of a line at or just after {@code position}: where a consumer or a producer looks next.
     */
    private static int lineNear(final Random random, final long position)
    {
        return lineAt(position + ALIGNMENT * random.nextInt(4));
    }

    private static int lineAt(final long position)
    {
        return (int)position & (CAPACITY - 1) & -ALIGNMENT;
    }

    private static long nudge(final Random random, final long value)
    {
        switch (random.nextInt(8))
        {
            case 0:
                return value + (random.nextBoolean() ? 1 : -1);
            case 1:
                return value + (random.nextBoolean() ? 8 : -8);
            case 2:
                return value + (random.nextBoolean() ? ALIGNMENT : -ALIGNMENT);
            case 3:
                return value + (random.nextBoolean() ? CAPACITY : -CAPACITY);
            case 4:
                // a committed record, padding or a claim, as long as records are or of any length up to a capacity
                final int length = random.nextBoolean() ?
                    HEADER_LENGTH + random.nextInt(3 * ALIGNMENT) : random.nextInt(CAPACITY + 1);
                return RecordDescriptor.makeHeader(random.nextBoolean() ? length : -length, random.nextInt(7) - 1);
            case 5:
                return 0;
            case 6:
                // an MPSC tail's bias tag: any, or the one never written
                return value & ~TAIL_TAG_MASK | (random.nextBoolean() ? BIASED_TAG_LIMIT : random.nextInt(64));
            default:
                return random.nextLong();
        }
    }

    /**
     * A correct read: a whole record inside the ring, of at most the longest message, its committed header as given.
     */
    private static final MessageHandler CHECKING = (typeId, buffer, offset, length) ->
    {
        final int recordOffset = offset - HEADER_LENGTH;
        if (recordOffset < 0 || 0 != (recordOffset & (ALIGNMENT - 1)) || length < 0 || length > MAX_MESSAGE_LENGTH ||
            offset + length > buffer.capacity() || typeId < 1 ||
            buffer.getLong(recordOffset) != RecordDescriptor.makeHeader(HEADER_LENGTH + length, typeId))
        {
            throw new AssertionError("handler given what is not a committed record: typeId=" + typeId + " offset=" +
                offset + " length=" + length);
        }
    };

    private static final ControlledMessageHandler CONTROLLED = (typeId, buffer, offset, length) ->
    {
        CHECKING.onMessage(typeId, buffer, offset, length);
        return ControlledMessageHandler.Action.values()[(offset >> 6) & 3];
    };

    private static final ControlledMessageHandler CONTINUING = (typeId, buffer, offset, length) ->
    {
        CHECKING.onMessage(typeId, buffer, offset, length);
        return ControlledMessageHandler.Action.CONTINUE;
    };
}
