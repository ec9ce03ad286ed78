package io.conduit.ring;

import io.conduit.MessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.file.OpenChannelFiles;
import io.conduit.wait.AsymmetricFence;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The MPSC bias: a producer alone on a ring claims and commits with plain stores, tagging the tail word with its slot,
 * until another producer, or the consumer skipping one of its claims, revokes it. Each ring object here is a
 * producer of its own (its own mapping and slot), as a process would be.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MpscBiasTest
{
    static final int CAPACITY = 64 * 1024;
    static final int BODY_LENGTH = 16;
    /** docs/WAITING.md's name, spelled out: the property is read in io.conduit.wait. */
    static final String MEMBARRIER_DISABLED_PROP_NAME = "conduit.wait.membarrier.disabled";

    @TempDir
    Path dir;

    private final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);

    /**
     * Tests of the bias itself need it taken: the process registered for the revokers' membarrier.
     */
    static void needBias()
    {
        // the bias needs the process registered for the revokers' membarrier; without it no producer takes it
        assumeTrue(AsymmetricFence.registerLightSide(), "membarrier refused here: producers never take the bias");
        assumeTrue(!MpscRing.BIAS_DISABLED, MpscRing.BIAS_DISABLED_PROP_NAME + " is set");
    }

    /**
     * Closing a bias holder revokes its bias; a tail word found corrupt then (negative, with this object's tag) throws,
     * and the file is unmapped all the same: closed is closed, and a second close would not come back for it.
     */
    @Test
    void shouldUnmapOnCloseEvenWhenReleasingTheBiasFindsTheTailCorrupt() throws Exception
    {
        needBias();
        final int othersOpen = OpenChannelFiles.count();
        final ChannelFile file = ChannelFile.create(dir, "corrupt-on-close", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(64 * 1024));
        final String mapped = file.path().toAbsolutePath().toString();
        final MpscRing ring = (MpscRing)file.ring();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[8]);
        assertTrue(ring.offer(1, body, 0, 8));
        assertTrue(ring.biasTag > 0 && ring.biasTag == tag(file.headerBuffer()), "the lone producer holds the bias");
        assertTrue(isMapped(mapped), "mapped while open: " + mapped);

        file.headerBuffer().putLongVolatile(TAIL_POSITION_OFFSET, Long.MIN_VALUE | ring.biasTag);
        assertThrows(io.conduit.CorruptChannelException.class, file::close);

        assertTrue(file.isClosed());
        assertFalse(isMapped(mapped), "still mapped after close threw: " + mapped);
        assertEquals(othersOpen, OpenChannelFiles.count(), "not counted closed when releasing the bias threw");
        file.close(); // idempotent: nothing left to do
        assertEquals(othersOpen, OpenChannelFiles.count(), "counted closed twice");
    }

    private static boolean isMapped(final String path) throws java.io.IOException
    {
        return java.nio.file.Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .anyMatch(line -> line.endsWith(path));
    }

    @Test
    void shouldTakeTheBiasAloneAndGiveItUpToASecondProducer() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final MpscRing a = rig.a;
            final MpscRing b = rig.b;
            final AtomicBuffer header = rig.header;
            final Reader reader = rig.reader;

            send(a, 1, 0);
            assertEquals(1, tag(header), "the only producer, in slot 0, holds the bias");
            send(a, 1, 1);
            send(b, 2, 0); // revokes
            assertEquals(0, tag(header), "a second producer claims with a compare-and-set, untagged");
            for (int i = 2; i < 2 * MpscRing.GRANT_INTERVAL; i++)
            {
                send(a, 1, i);
                assertEquals(0, tag(header), "not taken again while another producer holds a slot");
                reader.drain();
            }
            rig.bFile.close(); // frees its slot
            for (int i = 0; i <= MpscRing.GRANT_INTERVAL; i++)
            {
                send(a, 1, 2 * MpscRing.GRANT_INTERVAL + i);
                reader.drain();
            }
            assertEquals(1, tag(header), "taken again within an interval of claims once alone");
            reader.drain();
            assertEquals(3 * MpscRing.GRANT_INTERVAL + 1, reader.next[1]);
            assertEquals(1, reader.next[2]);
            assertEquals(0, rig.consumer.recordsSkipped());
        }
    }

    @Test
    void shouldRevokeBeforeSkippingALiveHoldersStuckClaimSoItsLateCommitIsRefused() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.MILLISECONDS.toNanos(1)))
        {
            final MpscRing consumer = rig.consumer;
            final MpscRing a = rig.a;
            final AtomicBuffer header = rig.header;
            final Reader reader = rig.reader;
            send(a, 1, 0);
            final int stuck = a.tryClaim(1, BODY_LENGTH);
            assertTrue(stuck > 0);
            assertEquals(1, tag(header));
            reader.drain();

            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (0 == consumer.recordsSkipped())
            {
                assertTrue(System.nanoTime() < deadlineNs, "the stuck claim was never skipped");
                reader.drain();
            }
            assertEquals(0, tag(header), "the consumer revoked the bias before skipping");
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> a.commit(stuck));
            assertTrue(ex.getMessage().contains("skipped"), ex.getMessage());
            send(a, 1, 1);
            reader.drain();
            assertEquals(2, reader.next[1]);
            assertEquals(1, consumer.recordsSkipped());
        }
    }

    @Test
    void shouldWaitForAHolderInsideItsSectionAndNotForADeadOne() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            rig.biasA();
            final AtomicBuffer header = rig.header;
            final int sectionOffset = producerSlotOffset(0) + SLOT_BIAS_SECTION_OFFSET;

            // a live holder stopped inside its section: the revoker gives up after its patience, as back-pressure
            header.putLongVolatile(sectionOffset, MpscRing.SECTION_CLAIM);
            final long backPressure = header.getLongVolatile(BACK_PRESSURE_EVENTS_OFFSET);
            assertFalse(rig.b.offer(2, body, 0, BODY_LENGTH));
            assertEquals(backPressure + 1, header.getLongVolatile(BACK_PRESSURE_EVENTS_OFFSET));
            assertEquals(1 + REVOKING_TAG_STEP, tag(header), "left revoking, for the next try to finish");

            // the same holder dead inside its section: nothing to wait for
            header.putLongVolatile(producerSlotOffset(0) + SLOT_PID_OFFSET, MpscDeadClaimTest.DEAD_PID);
            rig.revokedAndDelivered(1);
        }
    }

    @Test
    void shouldHaveARevokerWithoutMembarrierWaitForTheHoldersAcknowledgement() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            // the holder is outside its section, but without a membarrier that proves nothing: wait for it to say so
            rig.biasAThenRefuseARevokerWithoutMembarrier();
            send(rig.a, 1, 1); // finds its bias going, acknowledges, and claims shared
            assertEquals(MpscRing.SECTION_UNBIASED, rig.sectionOfA());
            rig.revokedAndDelivered(2);
        }
    }

    @Test
    void shouldHaveAHolderAcknowledgeARevokerWithoutMembarrierAtItsNextCommit() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            rig.biasA();
            final int claimed = rig.a.tryClaim(1, BODY_LENGTH); // under the bias
            rig.b.revokerFences = false;
            assertFalse(rig.b.offer(2, body, 0, BODY_LENGTH), "no acknowledgement yet");
            assertEquals(1 + REVOKING_TAG_STEP, tag(rig.header));

            body.putLong(0, 1);
            body.putLong(8, checksum(1, 1));
            rig.a.buffer().putBytes(claimed, body, 0, BODY_LENGTH);
            rig.a.commit(claimed); // finds its bias going, acknowledges, and commits with a compare-and-set
            assertEquals(MpscRing.SECTION_UNBIASED, rig.sectionOfA());
            rig.revokedAndDelivered(2);
        }
    }

    /**
     * At close the holder stores no acknowledgement: it finishes the revocation itself, with its own membarrier, as
     * any revoker may, so the one without membarrier finds the tail untagged at its next try.
     */
    @Test
    void shouldHaveAHolderClosingFinishTheRevocationARevokerWithoutMembarrierWaitsFor() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            rig.biasAThenRefuseARevokerWithoutMembarrier();
            final long revoking = rig.header.getLongVolatile(TAIL_POSITION_OFFSET);

            rig.aFile.close();
            assertEquals(0, tag(rig.header), "the revoker need not wait for a holder that has closed");
            assertEquals(revoking, rig.header.getLongVolatile(BIAS_REVOKED_TAIL_OFFSET));
            assertEquals(0, rig.header.getLongVolatile(producerSlotOffset(0) + SLOT_PID_OFFSET));
            rig.revokedAndDelivered(1);
        }
    }

    @ParameterizedTest(name = "pid reused={0}")
    @ValueSource(booleans = {false, true})
    void shouldHaveAConsumerAttachingRevokeADeadHoldersBiasAndSkipItsClaim(final boolean reused) throws Exception
    {
        needBias();
        // reused: the slot names a pid that a live process has now, with the dead holder's start stamp
        final long deadWord = reused ? ProcessIdentityTest.reusedPid() : MpscDeadClaimTest.DEAD_PID;
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            rig.biasA();
            // the holder "dies" after its slot claim and mark, before its tail store, inside its section
            final long tail = rig.a.tailPosition();
            assertTrue(rig.a.tryClaim(1, BODY_LENGTH) > 0);
            final int slot = producerSlotOffset(0);
            rig.header.putLongVolatile(TAIL_POSITION_OFFSET, tail | 1);
            rig.header.putLongVolatile(slot + SLOT_BIAS_SECTION_OFFSET, MpscRing.SECTION_CLAIM);
            rig.header.putLongVolatile(slot + SLOT_PID_OFFSET, deadWord);

            // a consumer attaching (its first read) revokes first: the tail moves past the dead claim, untagged
            rig.reader.drain();
            assertEquals(0, tag(rig.header));
            assertEquals(tail + RecordDescriptor.ALIGNMENT, rig.consumer.tailPosition());
            for (int polls = 0; polls < 4 * (AbstractRing.STUCK_CHECK_MASK + 1) && 0 == rig.consumer.recordsSkipped();
                polls++)
            {
                rig.reader.drain();
            }
            assertEquals(1, rig.consumer.recordsSkipped(), "the dead claim skipped: its slot names a dead pid");
            assertEquals(rig.consumer.tailPosition(), rig.consumer.headPosition());
            assertEquals(1, rig.reader.next[1]);
        }
    }

    @Test
    void shouldMoveTheTailPastTheClaimOfAHolderKilledBeforeItsTail() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final AtomicBuffer header = rig.header;
            send(rig.a, 1, 0);
            rig.reader.drain();
            // the holder claims and "dies" after its slot claim and mark, before its tail store, inside its section
            final long tail = rig.a.tailPosition();
            final int claimed = rig.a.tryClaim(1, BODY_LENGTH);
            assertTrue(claimed > 0);
            final int slot = producerSlotOffset(0);
            header.putLongVolatile(TAIL_POSITION_OFFSET, tail | 1);
            header.putLongVolatile(slot + SLOT_BIAS_SECTION_OFFSET, MpscRing.SECTION_CLAIM);
            header.putLongVolatile(slot + SLOT_PID_OFFSET, MpscDeadClaimTest.DEAD_PID);

            // a second producer revokes the dead holder's bias: its claim must start past the dead claim, not on it
            final int offset = rig.b.tryClaim(2, BODY_LENGTH);
            assertEquals(claimed + RecordDescriptor.ALIGNMENT, offset);
            assertEquals(0, tag(header));
            body.putLong(0, 0);
            body.putLong(8, checksum(2, 0));
            rig.b.buffer().putBytes(offset, body, 0, BODY_LENGTH);
            rig.b.commit(offset);
            // the dead claim is skipped within a few stuck checks (one per 1024 polls):
            // its slot names it, with a dead pid
            for (int polls = 0; polls < 4 * (AbstractRing.STUCK_CHECK_MASK + 1) && rig.reader.next[2] < 1; polls++)
            {
                rig.reader.drain();
            }
            assertEquals(1, rig.consumer.recordsSkipped());
            assertEquals(1, rig.reader.next[1]);
            assertEquals(1, rig.reader.next[2]);
            assertEquals(rig.consumer.tailPosition(), rig.consumer.headPosition());
        }
    }

    /**
     * An offer whose source range is outside its buffer gives its claim back on each claim path: the holder's biased
     * claim, and a claim by a thread other than the ring object's owner. The consumer then reads what follows at once,
     * where the open claim would have held it up for the stuck claim timeout (a minute here).
     */
    @Test
    void shouldAbortTheClaimOfAnOfferWhoseSourceIsOutOfRangeOnEachPath() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final MpscRing a = rig.a;
            rig.biasA();
            assertThrows(IndexOutOfBoundsException.class, () -> a.offer(1, body, 8, BODY_LENGTH));
            assertEquals(1, tag(rig.header), "the holder's own claim, aborted: the bias stays");
            send(a, 1, 1);

            final AtomicReference<Throwable> thrown = new AtomicReference<>();
            final Thread sibling = new Thread(() ->
            {
                try
                {
                    a.offer(1, body, 8, BODY_LENGTH);
                }
                catch (final Throwable ex)
                {
                    thrown.set(ex);
                }
            });
            sibling.start();
            sibling.join();
            assertInstanceOf(IndexOutOfBoundsException.class, thrown.get());
            send(a, 1, 2);

            rig.reader.drain();
            assertEquals(3, rig.reader.next[1], "every message sent after the refused offers read at once");
            assertEquals(0, rig.consumer.recordsSkipped());
        }
    }

    @Test
    void shouldCommitAClaimMadeBeforeTheBiasWithACompareAndSet() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final MpscRing a = rig.a;
            final AtomicBuffer header = rig.header;
            send(rig.b, 2, 0); // B holds a slot: A's first claim is shared
            final int early = a.tryClaim(1, BODY_LENGTH);
            assertEquals(0, tag(header));
            rig.bFile.close();
            // the bias taken while the owner thread's latest claim, made shared, is still open
            assertTrue(a.tryTakeBias());
            assertEquals(2, tag(header), "A, in slot 1 after B's, holds the bias");
            // the consumer's skip of that claim, as if it had run just before the bias was taken
            a.buffer().putLongVolatile(early - 8, RecordDescriptor.makeHeader(BODY_LENGTH + 8,
                RecordDescriptor.PADDING_TYPE_ID));
            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> a.commit(early),
                "a plain store would have turned the skipped claim's padding back into a record");
            assertTrue(ex.getMessage().contains("skipped"), ex.getMessage());
            assertEquals(RecordDescriptor.makeHeader(BODY_LENGTH + 8, RecordDescriptor.PADDING_TYPE_ID),
                a.buffer().getLongVolatile(early - 8));
        }
    }

    @Test
    void shouldHaveAConsumerWithoutMembarrierSkipAnUnbiasedProducersStuckClaim() throws Exception
    {
        try (Rig rig = new Rig(TimeUnit.MILLISECONDS.toNanos(1)))
        {
            final MpscRing consumer = rig.consumer;
            consumer.revokerFences = false;
            final MpscRing a = rig.a;
            a.biasAllowed = false;
            final Reader reader = rig.reader;
            send(a, 1, 0);
            final int stuck = a.tryClaim(1, BODY_LENGTH);
            assertTrue(stuck > 0);
            assertEquals(0, tag(rig.header));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (0 == consumer.recordsSkipped())
            {
                assertTrue(System.nanoTime() < deadlineNs, "a producer that never held a bias was waited for");
                reader.drain();
            }
            assertThrows(IllegalStateException.class, () -> a.commit(stuck));
            send(a, 1, 1);
            reader.drain();
            assertEquals(2, reader.next[1]);
        }
    }

    @Test
    void shouldNeverTagTheTailOfAProducerNotAllowedTheBias() throws Exception
    {
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            rig.a.biasAllowed = false; // as -D conduit.ring.mpsc.bias.disabled=true, or a process without membarrier
            for (int i = 0; i <= 2 * MpscRing.GRANT_INTERVAL; i++)
            {
                send(rig.a, 1, i);
                assertEquals(0, tag(rig.header), "tagged at message " + i);
                rig.reader.drain();
            }
            assertEquals(2 * MpscRing.GRANT_INTERVAL + 1, rig.reader.next[1]);
            assertEquals(MpscRing.SECTION_UNBIASED, rig.sectionOfA());
        }
    }

    /**
     * A tag names slots 0..30 (tags 1..31; 32 is never written): a producer in slot 31, the last, never takes the
     * bias. Slots go to ring objects in order of their first claims, the lowest free slot first, so the producer
     * claiming after {@code slot} others takes slot {@code slot}; the others then close and leave it alone.
     */
    @ParameterizedTest(name = "slot {0}")
    @ValueSource(ints = {BIASED_TAG_LIMIT - 2, BIASED_TAG_LIMIT - 1})
    void shouldGiveTheBiasOnlyToASlotATagCanName(final int slot) throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final ChannelFile[] others = new ChannelFile[slot];
            try
            {
                for (int i = 0; i < slot; i++)
                {
                    others[i] = ChannelFile.open(dir, "bias");
                    send(others[i].ring(), 2, i);
                }
                send(rig.a, 1, 0);
            }
            finally
            {
                CloseHelper.closeAll(others);
            }
            assertEquals(ProcessIdentity.current(), rig.header.getLongVolatile(producerSlotOffset(slot) +
                SLOT_PID_OFFSET), "A took slot " + slot);

            for (int i = 1; i <= MpscRing.GRANT_INTERVAL + 1; i++) // alone now, and past a look for the bias
            {
                send(rig.a, 1, i);
                rig.reader.drain();
            }
            final boolean nameable = slot < BIASED_TAG_LIMIT - 1;
            assertEquals(nameable ? slot + 1 : 0, tag(rig.header));
            assertEquals(nameable ? 0 : MpscRing.SECTION_UNBIASED, section(rig.header, slot),
                "a look for the bias stores 0 first");
            assertEquals(MpscRing.GRANT_INTERVAL + 2, rig.reader.next[1]);
            assertEquals(slot, rig.reader.next[2]);
        }
    }

    /**
     * The property is read once per JVM, so each case runs a producer process of its own, with or without it: it
     * sends alone, then lingers holding its slot, and the tail word shows whether it took the bias. Nothing revokes
     * a bias while that producer is alone and the consumer has not read, so an untagged tail then means one never
     * taken, as does its section word, still what registration stored (a look for the bias stores 0 first).
     */
    @ParameterizedTest(name = "disabled={0}")
    @ValueSource(booleans = {false, true})
    void shouldTakeTheBiasOnlyWithoutTheDisablingProperty(final boolean disabled) throws Exception
    {
        needBias();
        assertBiasOfALoneProducerProcess(
            disabled ? List.of("-D" + MpscRing.BIAS_DISABLED_PROP_NAME + "=true") : List.of(), !disabled);
    }

    /**
     * README and docs/WAITING.md, "System properties": {@code conduit.wait.membarrier.disabled=true} keeps a process
     * from registering for membarrier, so its producers fence for themselves and its MPSC producers never take the
     * bias. Read once per JVM, at its first ring object, so the producer is a process of its own, as above (whose
     * case without any property shows that such a process, alone, does take the bias here).
     */
    @Test
    void shouldNotTakeTheBiasInAProcessWithMembarrierDisabled() throws Exception
    {
        needBias();
        assertBiasOfALoneProducerProcess(List.of("-D" + MEMBARRIER_DISABLED_PROP_NAME + "=true"), false);
    }

    /**
     * A producer process started with {@code jvmOptions} sends alone, then lingers holding its slot: the tail word
     * and its section word show whether it took the bias. Then it is killed, and every message is read once.
     */
    private void assertBiasOfALoneProducerProcess(final List<String> jvmOptions, final boolean biased)
        throws Exception
    {
        final int count = 10;
        try (ChannelFile consumerFile = create(TimeUnit.SECONDS.toNanos(60));
            ChildJvm producer = ChildJvm.start(dir, "producer", jvmOptions, ProducerProcess.class,
                dir.toString(), "bias", String.valueOf(count), "1", "60000"))
        {
            producer.awaitLine(("SENT " + count)::equals, 30_000);
            final AtomicBuffer header = consumerFile.headerBuffer();
            assertEquals(biased ? 1 : 0, tag(header), producer::diagnostics);
            assertEquals(biased ? 0 : MpscRing.SECTION_UNBIASED, section(header, 0));

            producer.kill();
            final MpscRing consumer = (MpscRing)consumerFile.ring();
            assertEquals(count, consumer.read((typeId, buffer, offset, length) -> { }, 2 * count));
            assertEquals(0, consumer.recordsSkipped());
        }
    }

    @Test
    void shouldStoreTheSlotClaimAndTheMarkBeforeTheTailWhenBiased()
    {
        needBias();
        final java.util.List<String> stores = new java.util.ArrayList<>();
        final int capacity = 64 * 1024;
        final UnsafeBuffer header = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(FILE_HEADER_LENGTH))
        {
            @Override
            public void putLongRelease(final int index, final long value)
            {
                if (TAIL_POSITION_OFFSET == index)
                {
                    stores.add("tail");
                }
                else if (producerSlotOffset(0) + SLOT_CLAIM_OFFSET == index)
                {
                    stores.add("slot claim");
                }
                super.putLongRelease(index, value);
            }
        };
        final UnsafeBuffer ring = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(capacity))
        {
            @Override
            public void putLongRelease(final int index, final long value)
            {
                if (RecordDescriptor.frameLength(value) < 0)
                {
                    stores.add("mark");
                }
                super.putLongRelease(index, value);
            }
        };
        final MpscRing mpsc = new MpscRing(header, ring, 1000, TimeUnit.SECONDS.toNanos(60), "store-order");
        mpsc.commit(mpsc.tryClaim(1, BODY_LENGTH)); // takes the bias
        assertEquals(1, tag(header));
        stores.clear();
        assertTrue(mpsc.tryClaim(1, BODY_LENGTH) > 0);
        // the mark before the tail (faster); killed before the tail store, the holder leaves its slot claim starting at
        // the tail, which a revoker moves the tail past (shouldMoveTheTailPastTheClaimOfAHolderKilledBeforeItsTail)
        assertEquals(java.util.List.of("slot claim", "mark", "tail"), stores);
    }

    @Test
    void shouldNotCommitAgainAClaimAnotherThreadCommitted() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final MpscRing a = rig.a;
            send(a, 1, 0);
            final int claimed = a.tryClaim(1, BODY_LENGTH);
            body.putLong(0, 1);
            body.putLong(8, checksum(1, 1));
            a.buffer().putBytes(claimed, body, 0, BODY_LENGTH);
            final Thread other = new Thread(() -> a.commit(claimed));
            other.start();
            other.join();
            // the owner thread's remembered claim is gone with the other thread's commit: a second commit is refused
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> a.commit(claimed));
            assertTrue(ex.getMessage().contains("not a live claim"), ex.getMessage());
            final Reader reader = rig.reader;
            reader.drain();
            assertEquals(2, reader.next[1]);
        }
    }

    @Test
    void shouldNotTakeTheBiasAgainWhereItWasRevoked() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final MpscRing a = rig.a;
            final AtomicBuffer header = rig.header;
            send(a, 1, 0);
            assertEquals(1, tag(header));
            assertTrue(a.revokeBias(true));
            assertFalse(a.tryTakeBias(), "a revoking tail word there could repeat, and a late revoker untag it");
            assertEquals(0, tag(header));
            assertEquals(MpscRing.SECTION_UNBIASED, section(header, 0),
                "a look that did not take the bias says so, for revokers without membarrier");
            send(a, 1, 1); // shared, moving the tail
            assertTrue(a.tryTakeBias());
            assertEquals(1, tag(header));
        }
    }

    /**
     * A revoker delayed between reading the revoking tail word and noting it, while another revoker finishes that
     * revocation and a later bias is taken and revoked further on, must not bring the note back down: the bias
     * could then be taken again where the later one was revoked, and that revoking word repeat.
     */
    @Test
    void shouldNeverLowerTheRevokedTailNote()
    {
        needBias();
        final NoteDelayingHeader header = new NoteDelayingHeader();
        final UnsafeBuffer ring = new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY));
        final MpscRing holder = new MpscRing(header, ring, 1024, TimeUnit.SECONDS.toNanos(60), "revoked-note");
        final MpscRing delayed = new MpscRing(header, ring, 1024, TimeUnit.SECONDS.toNanos(60), "revoked-note");
        final MpscRing other = new MpscRing(header, ring, 1024, TimeUnit.SECONDS.toNanos(60), "revoked-note");
        send(holder, 1, 0);
        final long earlier = header.getLongVolatile(TAIL_POSITION_OFFSET) + REVOKING_TAG_STEP;
        assertEquals(1 + REVOKING_TAG_STEP, earlier & TAIL_TAG_MASK, "the holder took the bias");
        final long[] later = new long[1];
        header.delay = () ->
        {
            assertTrue(other.revokeBias(true));
            assertEquals(earlier, header.getLongVolatile(BIAS_REVOKED_TAIL_OFFSET));
            send(holder, 1, 1); // shared, moving the tail
            assertTrue(holder.tryTakeBias());
            later[0] = header.getLongVolatile(TAIL_POSITION_OFFSET) + REVOKING_TAG_STEP;
            assertTrue(other.revokeBias(true));
        };

        assertTrue(delayed.revokeBias(true)); // its first load of the note returns 0, from before the delay
        assertNull(header.delay, "the revoker never noted");
        assertTrue(later[0] > earlier);
        assertEquals(later[0], header.getLongVolatile(BIAS_REVOKED_TAIL_OFFSET));
        assertEquals(0, tag(header));
        assertFalse(holder.tryTakeBias(), "taken again where the later bias was revoked");
    }

    @Test
    void shouldHaveProducersWaitOnlyForClaimSectionsAndTheConsumerForCommitsToo() throws Exception
    {
        needBias();
        try (Rig rig = new Rig(TimeUnit.SECONDS.toNanos(60)))
        {
            final MpscRing consumer = rig.consumer;
            final MpscRing a = rig.a;
            final AtomicBuffer header = rig.header;
            final Reader reader = rig.reader;
            send(a, 1, 0);
            reader.drain();
            final int sectionOffset = producerSlotOffset(0) + SLOT_BIAS_SECTION_OFFSET;
            header.putLongVolatile(sectionOffset, MpscRing.SECTION_COMMIT); // a commit under way: stores no tail
            send(rig.b, 2, 0); // asserts the offer went through: waiting for the commit, it would have failed
            assertEquals(0, tag(header));
            assertFalse(consumer.mayOutwaitClaimer(), "the consumer may not skip while a plain commit may land");
            header.putLongVolatile(sectionOffset, 0L);
            assertTrue(consumer.mayOutwaitClaimer());
            reader.drain();
            assertEquals(1, reader.next[2]);
        }
    }

    @Test
    void shouldKeepTheSlotOfAHolderClosedWhileItsBiasCannotBeRevoked() throws Exception
    {
        needBias();
        try (ChannelFile consumerFile = create(TimeUnit.SECONDS.toNanos(60)))
        {
            final AtomicBuffer header = consumerFile.headerBuffer();
            final int slot = producerSlotOffset(0);
            try (ChannelFile aFile = ChannelFile.open(dir, "bias"))
            {
                send(aFile.ring(), 1, 0);
                assertEquals(1, tag(header));
                header.putLongVolatile(slot + SLOT_BIAS_SECTION_OFFSET, MpscRing.SECTION_CLAIM); // another thread
            }
            assertEquals(ProcessIdentity.current(), header.getLongVolatile(slot + SLOT_PID_OFFSET),
                "freed, the slot could be taken and the revoking tag read as the new owner's");
            assertEquals(1 + REVOKING_TAG_STEP, tag(header));
        }
    }

    /**
     * One producer sending without pause, holding the bias whenever alone; another opening a ring object, sending a
     * few messages, closing it, then waiting for the first to take the bias again, over and over. Every message of
     * each is delivered once, in order, checked by sequence and checksum.
     */
    @Test
    void shouldLoseNothingWhileTheBiasIsTakenAndRevokedOverAndOver() throws Exception
    {
        needBias();
        final int rounds = 100;
        try (ChannelFile consumerFile = create(TimeUnit.SECONDS.toNanos(60)))
        {
            final AtomicBuffer header = consumerFile.headerBuffer();
            final MpscRing consumer = (MpscRing)consumerFile.ring();
            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final long[] sent = new long[3];
            final Thread holder = new Thread(() ->
            {
                try (ChannelFile file = ChannelFile.open(dir, "bias"))
                {
                    final Ring ring = file.ring();
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[BODY_LENGTH]);
                    long sequence = 0;
                    while (running.get())
                    {
                        message.putLong(0, sequence);
                        message.putLong(8, checksum(1, sequence));
                        if (ring.offer(1, message, 0, BODY_LENGTH))
                        {
                            sequence++;
                        }
                    }
                    sent[1] = sequence;
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            final Thread revoker = new Thread(() ->
            {
                try
                {
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[BODY_LENGTH]);
                    long sequence = 0;
                    int revocations = 0;
                    for (int round = 0; round < rounds && running.get(); round++)
                    {
                        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (0 == tag(header)) // the holder takes the bias again once alone
                        {
                            if (System.nanoTime() > deadlineNs)
                            {
                                throw new AssertionError("the bias was not taken again in round " + round);
                            }
                            Thread.yield();
                        }
                        revocations++;
                        try (ChannelFile file = ChannelFile.open(dir, "bias"))
                        {
                            final Ring ring = file.ring();
                            for (int i = 0; i < 3; i++)
                            {
                                message.putLong(0, sequence);
                                message.putLong(8, checksum(2, sequence));
                                while (!ring.offer(2, message, 0, BODY_LENGTH))
                                {
                                    Thread.yield();
                                }
                                sequence++;
                            }
                        }
                    }
                    sent[2] = sequence;
                    if (rounds != revocations)
                    {
                        throw new AssertionError("stopped after " + revocations + " revocations");
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
                finally
                {
                    running.set(false);
                }
            });
            holder.start();
            revoker.start();
            final Reader reader = new Reader(consumer);
            try
            {
                while (revoker.isAlive() || holder.isAlive())
                {
                    reader.drain();
                }
            }
            finally
            {
                running.set(false); // and the producers stop before the file is unmapped
                holder.join();
                revoker.join();
            }
            reader.drain();
            assertNull(failure.get(), () -> "producer failed: " + failure.get());
            assertNull(reader.failure, () -> reader.failure);
            assertEquals(3L * rounds, sent[2]);
            assertEquals(sent[1], reader.next[1], "holder's messages delivered");
            assertEquals(sent[2], reader.next[2], "revoker's messages delivered");
            assertEquals(0, consumer.recordsSkipped());
        }
    }

    /** A header whose first load of the revoked tail note, once armed, runs {@link #delay} before it returns. */
    static final class NoteDelayingHeader extends LoadHookedHeader
    {
        Runnable delay;

        @Override
        long onLoad(final int index, final long value)
        {
            if (null != delay && BIAS_REVOKED_TAIL_OFFSET == index)
            {
                final Runnable delay = this.delay;
                this.delay = null;
                delay.run();
            }
            return value;
        }
    }

    /**
     * A channel file opened three times, as three processes would: the consumer's, and two producers', A and B (each
     * takes a slot at its first claim).
     */
    final class Rig implements AutoCloseable
    {
        final ChannelFile consumerFile;
        final ChannelFile aFile;
        final ChannelFile bFile;
        final MpscRing consumer;
        final MpscRing a;
        final MpscRing b;
        final AtomicBuffer header;
        final Reader reader;

        Rig(final long stuckClaimTimeoutNs) throws Exception
        {
            consumerFile = create(stuckClaimTimeoutNs);
            aFile = ChannelFile.open(dir, "bias");
            bFile = ChannelFile.open(dir, "bias");
            consumer = (MpscRing)consumerFile.ring();
            a = (MpscRing)aFile.ring();
            b = (MpscRing)bFile.ring();
            header = consumerFile.headerBuffer();
            reader = new Reader(consumer);
        }

        /**
         * A's owner thread stopped inside its claim section (SIGSTOP, a debugger): its slot's bias section word says
         * it is claiming, so a revoker waits for it. {@link #letAOut()} lets it run again.
         */
        void stopAInsideItsSection()
        {
            header.putLongVolatile(producerSlotOffset(0) + SLOT_BIAS_SECTION_OFFSET, MpscRing.SECTION_CLAIM);
        }

        /**
         * A runs again and leaves its section.
         */
        void letAOut()
        {
            header.putLongVolatile(producerSlotOffset(0) + SLOT_BIAS_SECTION_OFFSET, 0L);
        }

        /**
         * A sends its first message, alone, and so takes the bias (slot 0, tag 1).
         */
        void biasA()
        {
            send(a, 1, 0);
            assertEquals(1, tag(header), "A, alone in slot 0, holds the bias");
        }

        /**
         * A takes the bias; B, a revoker without membarrier, is refused until A says it is outside its sections.
         */
        void biasAThenRefuseARevokerWithoutMembarrier()
        {
            b.revokerFences = false;
            biasA();
            assertFalse(b.offer(2, body, 0, BODY_LENGTH), "no acknowledgement yet");
            assertEquals(1 + REVOKING_TAG_STEP, tag(header), "left revoking, for the next try to finish");
        }

        /**
         * @return A's bias section word (slot 0).
         */
        long sectionOfA()
        {
            return section(header, 0);
        }

        /**
         * B sends its first message, revoking any bias; then everything is read: A's {@code aSent} and B's one.
         */
        void revokedAndDelivered(final long aSent)
        {
            send(b, 2, 0);
            assertEquals(0, tag(header));
            reader.drain();
            assertEquals(aSent, reader.next[1]);
            assertEquals(1, reader.next[2]);
        }

        @Override
        public void close()
        {
            bFile.close();
            aFile.close();
            consumerFile.close();
        }
    }

    static long section(final AtomicBuffer header, final int slot)
    {
        return header.getLongVolatile(producerSlotOffset(slot) + SLOT_BIAS_SECTION_OFFSET);
    }

    private ChannelFile create(final long stuckClaimTimeoutNs) throws Exception
    {
        return ChannelFile.create(dir, "bias", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(CAPACITY).stuckClaimTimeoutNs(stuckClaimTimeoutNs));
    }

    private void send(final Ring ring, final int typeId, final long sequence)
    {
        body.putLong(0, sequence);
        body.putLong(8, checksum(typeId, sequence));
        assertTrue(ring.offer(typeId, body, 0, BODY_LENGTH), "offer refused");
    }

    static long checksum(final int producer, final long sequence)
    {
        return (sequence * 0x9E3779B97F4A7C15L) ^ producer;
    }

    static long tag(final AtomicBuffer header)
    {
        return header.getLongVolatile(TAIL_POSITION_OFFSET) & TAIL_TAG_MASK;
    }

    /**
     * Reads everything there is, checking that each producer's (type id's) sequence goes on by one and that each
     * message's checksum matches.
     */
    static final class Reader implements MessageHandler
    {
        final MpscRing ring;
        final long[] next = new long[3];
        volatile String failure;

        Reader(final MpscRing ring)
        {
            this.ring = ring;
        }

        void drain()
        {
            while (ring.read(this, 256) > 0)
            {
                if (null != failure)
                {
                    throw new AssertionError(failure);
                }
            }
        }

        @Override
        public void onMessage(final int typeId, final org.agrona.MutableDirectBuffer buffer, final int offset,
            final int length)
        {
            final long sequence = buffer.getLong(offset);
            if (null == failure && (typeId < 1 || typeId > 2 || length != BODY_LENGTH || sequence != next[typeId] ||
                buffer.getLong(offset + 8) != checksum(typeId, sequence)))
            {
                failure = "producer " + typeId + ": expected sequence " + (typeId >= 1 && typeId <= 2 ?
                    next[typeId] : -1) + ", got " + sequence + " length " + length;
            }
            if (typeId >= 1 && typeId <= 2)
            {
                next[typeId] = sequence + 1;
            }
        }
    }
}
