package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.sensor.HeartbeatDecoder;
import io.conduit.codec.sbe.sensor.HeartbeatEncoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.ring.Ring;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.EncoderFlyweight;
import org.agrona.sbe.MessageEncoderFlyweight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encode in place: the claim is exactly the encoded length, the ring type id is the template id, and a claim whose
 * encoding throws, overruns or falls short is aborted, so the reader skips it and the next message goes through.
 */
class SbePublisherTest
{
    private final Ring ring = new TestRing(4096, 1024);
    private final SbePublisher publisher = new SbePublisher(ring);
    private final List<String> received = new ArrayList<>();
    private final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
        .register(new HeartbeatDecoder(), (heartbeat) -> received.add("heartbeat " + heartbeat.sequence()));
    private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 15, 16, 17, 18, 26, 255, 256, 257, 300})
    void shouldZeroExactlyTheClaimAfterTheSbeHeader(final int bodyLength)
    {
        assertZeroesExactlyTheClaim(new TestRing(4096, 1024), bodyLength);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 26, 300})
    void shouldZeroExactlyTheClaimThroughTheBuffersOwnMethodsWhenItIsNotAPlainUnsafeBuffer(final int bodyLength)
    {
        final List<String> calls = new ArrayList<>();
        final UnsafeBuffer recording = new UnsafeBuffer(ByteBuffer.allocateDirect(4096))
        {
            @Override
            public void putLong(final int index, final long value, final ByteOrder byteOrder)
            {
                calls.add("putLong(" + index + ")");
                super.putLong(index, value, byteOrder);
            }

            @Override
            public void setMemory(final int index, final int length, final byte value)
            {
                calls.add("setMemory(" + index + ", " + length + ", " + value + ")");
                super.setMemory(index, length, value);
            }
        };
        final TestRing dirtyRing = new TestRing(recording, 1024);

        final int offset = assertZeroesExactlyTheClaim(dirtyRing, bodyLength, calls::clear);

        // the body zeroed and the header stored through the subclass's own methods: nothing went around them
        assertEquals(List.of("setMemory(" + (offset + MessageHeaderDescriptor.HEADER_LENGTH) + ", " + bodyLength +
            ", 0)", "putLong(" + offset + ")"), calls.subList(0, 2));
    }

    private static int assertZeroesExactlyTheClaim(final TestRing dirtyRing, final int bodyLength)
    {
        return assertZeroesExactlyTheClaim(dirtyRing, bodyLength, () -> {});
    }

    /**
     * @return the claim's offset.
     */
    private static int assertZeroesExactlyTheClaim(
        final TestRing dirtyRing, final int bodyLength, final Runnable afterFill)
    {
        dirtyRing.buffer().setMemory(0, dirtyRing.capacity(), (byte)0xFF);
        afterFill.run();
        final SbePublisher dirtyPublisher = new SbePublisher(dirtyRing);
        final OpaqueEncoder encoder = new OpaqueEncoder(bodyLength);
        final int length = MessageHeaderDescriptor.HEADER_LENGTH + bodyLength;

        final int offset = dirtyPublisher.tryClaim(encoder, length);
        assertTrue(offset > 0);
        assertEquals(MessageHeaderDescriptor.header(0, OpaqueEncoder.TEMPLATE_ID, OpaqueEncoder.SCHEMA_ID, 0),
            MessageHeaderDescriptor.header(dirtyRing.buffer(), offset));
        for (int i = MessageHeaderDescriptor.HEADER_LENGTH; i < length; i++)
        {
            assertEquals(0, dirtyRing.buffer().getByte(offset + i), "byte " + i + " of the claim");
        }
        for (int i = length; i < length + 8; i++)
        {
            assertEquals((byte)0xFF, dirtyRing.buffer().getByte(offset + i), "byte " + i + " after the claim");
        }
        dirtyPublisher.commit();
        return offset;
    }

    @Test
    void shouldRefuseANegativeBlockLengthBeforeClaiming()
    {
        final TestRing testRing = new TestRing(4096, 1024);
        final SbePublisher negative = new SbePublisher(testRing);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> negative.tryClaim(new OpaqueEncoder(0, -9), 0));
        assertTrue(ex.getMessage().contains("blockLength=-9"), ex.getMessage());
        assertFalse(negative.hasOpenClaim());
        assertEquals(0, testRing.size());
    }

    /**
     * A header field that does not fit its 16 bits (a block length above 65535 here, within the ring's longest
     * message) is refused before anything is claimed: refused after, it left a claim open that nobody could abort.
     */
    @Test
    void shouldRefuseAHeaderFieldOutOfRangeBeforeClaiming()
    {
        final TestRing testRing = new TestRing(1 << 20, 100_000);
        final SbePublisher publisher = new SbePublisher(testRing);

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> publisher.tryClaim(new OpaqueEncoder(70_000, 70_000), 8 + 70_000));
        assertTrue(ex.getMessage().contains("blockLength=70000"), ex.getMessage());
        assertFalse(publisher.hasOpenClaim());
        assertEquals(0, testRing.tailPosition(), "nothing claimed");
    }

    /**
     * A message of a block length of 0 (unless given) whose encoded length is whatever the test claims: writes nothing
     * itself.
     */
    static class OpaqueEncoder implements MessageEncoderFlyweight
    {
        static final int TEMPLATE_ID = 77;
        static final int SCHEMA_ID = 9;

        private final int bodyLength;
        private final int blockLength;
        private MutableDirectBuffer buffer;
        private int offset;

        OpaqueEncoder(final int bodyLength)
        {
            this(bodyLength, 0);
        }

        OpaqueEncoder(final int bodyLength, final int blockLength)
        {
            this.bodyLength = bodyLength;
            this.blockLength = blockLength;
        }

        @Override
        public MutableDirectBuffer buffer()
        {
            return buffer;
        }

        @Override
        public EncoderFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.offset = offset;
            return this;
        }

        @Override
        public int sbeBlockLength()
        {
            return blockLength;
        }

        @Override
        public int sbeTemplateId()
        {
            return TEMPLATE_ID;
        }

        @Override
        public String sbeSemanticType()
        {
            return "";
        }

        @Override
        public int limit()
        {
            return offset + bodyLength;
        }

        @Override
        public void limit(final int limit)
        {
        }

        @Override
        public int offset()
        {
            return offset;
        }

        @Override
        public int encodedLength()
        {
            return bodyLength;
        }

        @Override
        public int sbeSchemaId()
        {
            return SCHEMA_ID;
        }

        @Override
        public int sbeSchemaVersion()
        {
            return 0;
        }
    }

    @Test
    void shouldSendTheTemplateIdAsTypeIdAndClaimExactlyTheEncodedLength()
    {
        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) -> encoder.sequence(1)));

        final int[] seen = new int[2];
        assertEquals(1, ring.read((typeId, buffer, offset, length) ->
        {
            seen[0] = typeId;
            seen[1] = length;
        }, 10));
        assertEquals(HeartbeatEncoder.TEMPLATE_ID, seen[0]);
        assertEquals(MessageLengths.HEARTBEAT_LENGTH, seen[1]);
    }

    @Test
    void shouldAbortTheClaimWhenEncodingThrows()
    {
        final IllegalStateException thrown = new IllegalStateException("encoding failed");
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) ->
            {
                encoder.sequence(1);
                throw thrown;
            }));

        assertSame(thrown, ex);
        assertFalse(publisher.hasOpenClaim());
        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) -> encoder.sequence(2)));
        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 2"), received);
        assertEquals(0, ring.size());
    }

    @Test
    void shouldAbortWhenVarDataOverrunsTheClaimWithoutTouchingTheBytesAfterIt()
    {
        final PingEncoder ping = new PingEncoder();
        final int length = MessageLengths.pingLength(4);
        final byte[] tooLong = new byte[100];
        Arrays.fill(tooLong, (byte)0x5A); // not 0, the ring's bytes after the claim: a stray write would show
        final int offset = publisher.tryClaim(ping, length);
        assertTrue(offset > 0);
        ping.sequence(1).sendTimeNs(2);

        assertThrows(IndexOutOfBoundsException.class, () -> ping.putPayload(tooLong, 0, tooLong.length));
        publisher.abort();

        for (int i = offset + length; i < offset + length + tooLong.length; i++)
        {
            assertEquals(0, ring.buffer().getByte(i), "byte at " + i);
        }
        assertEquals(0, ring.read(dispatcher, 10));
        assertEquals(0, ring.size());
    }

    /**
     * Commit compares the encoded length with the claim's, which it takes from the view's capacity: on the view moved
     * by address over a mapped ring (the default here) and on the view wrapped over an on-heap ring alike.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldAbortAndThrowWhenTheEncodedLengthIsShorterThanTheClaim(final boolean onHeap)
    {
        final Ring ring = ring(onHeap);
        final SbePublisher publisher = new SbePublisher(ring);
        final PingEncoder ping = new PingEncoder();
        assertTrue(publisher.tryClaim(ping, MessageLengths.pingLength(8)) > 0);
        ping.sequence(1).sendTimeNs(2).putPayload(new byte[4], 0, 4);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, publisher::commit);
        assertTrue(ex.getMessage().contains("encodedLength=" + MessageLengths.pingLength(4)), ex.getMessage());
        assertTrue(ex.getMessage().contains("claimedLength=" + MessageLengths.pingLength(8)), ex.getMessage());
        assertFalse(publisher.hasOpenClaim());
        assertEquals(0, ring.read(dispatcher, 10));
        assertEquals(0, ring.size());
    }

    @Test
    void shouldCheckEachCommitAgainstItsOwnEncoderWhenEncodersTakeTurns()
    {
        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) -> encoder.sequence(1)));

        final PingEncoder ping = new PingEncoder();
        assertTrue(publisher.tryClaim(ping, MessageLengths.pingLength(8)) > 0);
        ping.sequence(2).sendTimeNs(3).putPayload(new byte[4], 0, 4);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, publisher::commit);
        assertTrue(ex.getMessage().contains("templateId=" + PingEncoder.TEMPLATE_ID), ex.getMessage());

        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) -> encoder.sequence(4)));
        assertEquals(2, ring.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 1", "heartbeat 4"), received);
        assertEquals(0, ring.size());
    }

    @Test
    void shouldReportBackPressureWithoutOpeningAClaimOrCallingTheHandler()
    {
        int sent = 0;
        while (publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) -> encoder.sequence(0)))
        {
            sent++;
        }
        assertTrue(sent > 0);
        assertEquals(Ring.INSUFFICIENT_CAPACITY, publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH));
        assertFalse(publisher.hasOpenClaim());
        assertFalse(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) ->
        {
            throw new AssertionError("handler called on back-pressure");
        }));
        assertEquals(sent, ring.read(dispatcher, Integer.MAX_VALUE));
    }

    /**
     * Once its claim is committed or aborted, the encoder's bytes are the reader's (or the next claim's): a write
     * through it throws, naming why, and the message read is the one committed. Off-heap ring (the default here) and
     * on-heap alike.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRefuseWritesThroughAnEncoderWhoseClaimHasEnded(final boolean onHeap)
    {
        final Ring ring = ring(onHeap);
        final SbePublisher publisher = new SbePublisher(ring);
        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(1).timestampNs(3);
        publisher.commit();

        final IndexOutOfBoundsException afterCommit =
            assertThrows(IndexOutOfBoundsException.class, () -> heartbeat.sequence(99));
        assertTrue(afterCommit.getMessage().contains("after its claim was committed or aborted"),
            afterCommit.getMessage());

        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(2).timestampNs(3);
        publisher.abort();
        assertThrows(IndexOutOfBoundsException.class, () -> heartbeat.sequence(98));

        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(3).timestampNs(3); // wrapped again: writes go through
        publisher.commit();

        assertEquals(2, ring.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 1", "heartbeat 3"), received);
    }

    /**
     * A handler that commits the claim itself has sent the message: offer returns true and does not commit again
     * (it used to throw "no open claim", inviting a resend). One that aborts it sent nothing, and offer says so.
     */
    @Test
    void shouldReportWhatAHandlerThatEndsItsOwnClaimDid()
    {
        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) ->
        {
            encoder.sourceId(1).sequence(1).timestampNs(3);
            publisher.commit();
        }));
        assertFalse(publisher.hasOpenClaim());

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) ->
            {
                encoder.sourceId(1).sequence(2).timestampNs(3);
                publisher.abort();
            }));
        assertTrue(ex.getMessage().contains("the handler ended the claim without sending it"), ex.getMessage());
        assertFalse(publisher.hasOpenClaim());

        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH,
            (encoder) -> encoder.sourceId(1).sequence(3).timestampNs(3)));

        // committed, then another claim opened and aborted: the offered message was sent, and offer says so
        assertTrue(publisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) ->
        {
            encoder.sourceId(1).sequence(4).timestampNs(3);
            publisher.commit();
            assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
            publisher.abort();
        }));
        assertFalse(publisher.hasOpenClaim());

        assertEquals(3, ring.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 1", "heartbeat 3", "heartbeat 4"), received);
        assertEquals(0, ring.size());
    }

    /**
     * The claim's offset comes from the ring's shared tail: one that runs past the ring's buffer (a corrupt tail, say)
     * is aborted and refused before the header or the clearing is stored, so the memory after the buffer keeps its
     * bytes.
     */
    @Test
    void shouldAbortAClaimThatRunsPastTheRingsBufferBeforeStoringAByte()
    {
        final UnsafeBuffer memory = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * 4096));
        memory.setMemory(0, memory.capacity(), (byte)0x5A);
        final TestRing testRing = new TestRing(new UnsafeBuffer(memory, 0, 4096), 1024);
        final int pastTheEnd = testRing.capacity() - 16;
        final List<Integer> aborted = new ArrayList<>();
        final Ring corrupt = (Ring)Proxy.newProxyInstance(Ring.class.getClassLoader(), new Class<?>[]{ Ring.class },
            (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "tryClaim":
                        return pastTheEnd;
                    case "abort":
                        aborted.add((Integer)args[0]);
                        return null;
                    default:
                        return method.invoke(testRing, args);
                }
            });
        final SbePublisher corruptPublisher = new SbePublisher(corrupt);

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> corruptPublisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH));
        assertTrue(ex.getMessage().contains("runs past its buffer"), ex.getMessage());
        assertEquals(List.of(pastTheEnd), aborted);
        assertFalse(corruptPublisher.hasOpenClaim());
        for (int i = pastTheEnd; i < memory.capacity(); i++)
        {
            assertEquals((byte)0x5A, memory.getByte(i), "byte " + i);
        }
    }

    /**
     * The record view a publisher hands its encoder moves with each claim; a caller who re-wraps it through the
     * encoder's {@code buffer()} is refused, naming why. Accepted over a mapped ring, the view kept the caller's array
     * as the base of the next claim's ring address, and the next write crashed the JVM; over an on-heap ring, the
     * view's capacity would no longer be the claim's length, which commit checks the encoded length against. The
     * claim is still whole, and goes through, as does the next. Off-heap ring (the default here) and on-heap alike.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldRefuseToReWrapTheClaimViewAnEncoderHolds(final boolean onHeap)
    {
        final Ring ring = ring(onHeap);
        final SbePublisher publisher = new SbePublisher(ring);
        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(1).timestampNs(3);
        final MutableDirectBuffer view = heartbeat.buffer();
        final List<Runnable> wraps = List.of(
            () -> view.wrap(new byte[64]),
            () -> view.wrap(new byte[64], 0, 8),
            () -> view.wrap(ByteBuffer.allocate(64)),
            () -> view.wrap(ByteBuffer.allocate(64), 0, 8),
            () -> view.wrap(new UnsafeBuffer(new byte[64])),
            () -> view.wrap(new UnsafeBuffer(new byte[64]), 0, 8),
            () -> view.wrap(view.addressOffset(), 8));
        for (final Runnable wrap : wraps)
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, wrap::run);
            assertTrue(ex.getMessage().contains("cannot be re-wrapped"), ex.getMessage());
        }
        publisher.commit();

        assertSecondHeartbeatGoesThrough(ring, publisher);
    }

    /**
     * An encoder whose wrap throws ends its claim aborted, and leaves the view detached: the encoder of the claim
     * before, which still holds the view, may not write into the aborted bytes (the reader's padding, then the next
     * claim's). Left attached, its write was accepted.
     */
    @Test
    void shouldLeaveTheViewDetachedWhenTheEncodersWrapThrows()
    {
        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(1).timestampNs(3);
        publisher.commit();

        final OpaqueEncoder failing = new OpaqueEncoder(HeartbeatEncoder.BLOCK_LENGTH, HeartbeatEncoder.BLOCK_LENGTH)
        {
            @Override
            public EncoderFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
            {
                throw new IllegalStateException("wrap failed");
            }
        };
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> publisher.tryClaim(failing, MessageLengths.HEARTBEAT_LENGTH));
        assertEquals("wrap failed", ex.getMessage());
        assertFalse(publisher.hasOpenClaim());

        final IndexOutOfBoundsException late = assertThrows(IndexOutOfBoundsException.class,
            () -> heartbeat.sequence(99));
        assertTrue(late.getMessage().contains("after its claim was committed or aborted"), late.getMessage());

        assertSecondHeartbeatGoesThrough(ring, publisher);
    }

    /**
     * @param onHeap whether the ring's buffer is an array rather than mapped memory.
     * @return this test's ring, mapped, or a new one over an array.
     */
    private Ring ring(final boolean onHeap)
    {
        return onHeap ? new TestRing(new UnsafeBuffer(new byte[4096]), 1024) : this.ring;
    }

    /**
     * Heartbeat 1 was committed on {@code ring}: the next claim takes heartbeat 2, and the reader gets both, whole.
     */
    private void assertSecondHeartbeatGoesThrough(final Ring ring, final SbePublisher publisher)
    {
        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(2).timestampNs(3);
        publisher.commit();
        assertEquals(2, ring.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 1", "heartbeat 2"), received);
    }

    /**
     * A store that throws between the ring's claim and the publisher's record of it (here the clearing of a buffer
     * that is not a plain {@link UnsafeBuffer}) aborts the claim there: no abort of the caller's could, and a claim
     * left open would hold the ring until the stuck-claim timeout.
     */
    @Test
    void shouldAbortTheRingsClaimWhenPreparingItThrows()
    {
        final boolean[] failNext = { true };
        final UnsafeBuffer failing = new UnsafeBuffer(ByteBuffer.allocateDirect(4096))
        {
            @Override
            public void setMemory(final int index, final int length, final byte value)
            {
                if (failNext[0])
                {
                    failNext[0] = false;
                    throw new IllegalStateException("setMemory failed: index=" + index);
                }
                super.setMemory(index, length, value);
            }
        };
        final TestRing failingRing = new TestRing(failing, 1024);
        final SbePublisher failingPublisher = new SbePublisher(failingRing);

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> failingPublisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH));
        assertTrue(ex.getMessage().startsWith("setMemory failed"), ex.getMessage());
        assertFalse(failingPublisher.hasOpenClaim());

        assertTrue(failingPublisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        heartbeat.sourceId(1).sequence(7).timestampNs(3);
        failingPublisher.commit();
        // the failed claim reads as padding (aborted), not as a claim the reader waits on
        assertEquals(1, failingRing.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 7"), received);
    }

    /**
     * As above, with an abort that throws too: the preparation's exception is the one reported, the abort's kept with
     * it as suppressed, and the publisher holds no claim.
     */
    @Test
    void shouldReportThePreparationsExceptionWithAFailedAbortSuppressed()
    {
        final UnsafeBuffer failing = new UnsafeBuffer(ByteBuffer.allocateDirect(4096))
        {
            @Override
            public void setMemory(final int index, final int length, final byte value)
            {
                throw new IllegalStateException("setMemory failed: index=" + index);
            }
        };
        final TestRing failingRing = new TestRing(failing, 1024);
        final SbePublisher failingPublisher = new SbePublisher(abortFailing(failingRing));

        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> failingPublisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH));
        assertTrue(ex.getMessage().startsWith("setMemory failed"), ex.getMessage());
        assertEquals(1, ex.getSuppressed().length, ex::toString);
        assertTrue(ex.getSuppressed()[0].getMessage().startsWith("abort failed"), ex.getSuppressed()[0]::toString);
        assertFalse(failingPublisher.hasOpenClaim());
    }

    /**
     * A handler's failure in offer, and a wrong length at commit, stay the exceptions reported when the ring then
     * refuses the abort too (as it does for a claim the consumer skipped after its timeout): the abort's failure goes
     * with them as suppressed, and the publisher holds no claim.
     */
    @Test
    void shouldReportTheFailureWithAFailedAbortSuppressedInOfferAndCommit()
    {
        final SbePublisher failingPublisher = new SbePublisher(abortFailing(ring));

        final ArithmeticException handlerFailure = new ArithmeticException("handler failed");
        final ArithmeticException offerEx = assertThrows(ArithmeticException.class,
            () -> failingPublisher.offer(heartbeat, MessageLengths.HEARTBEAT_LENGTH, (encoder) ->
            {
                throw handlerFailure;
            }));
        assertSame(handlerFailure, offerEx);
        assertEquals(1, offerEx.getSuppressed().length, offerEx::toString);
        assertTrue(offerEx.getSuppressed()[0].getMessage().startsWith("abort failed"), offerEx::toString);
        assertFalse(failingPublisher.hasOpenClaim());

        final PingEncoder ping = new PingEncoder();
        assertTrue(failingPublisher.tryClaim(ping, MessageLengths.pingLength(8)) > 0);
        ping.sequence(1).sendTimeNs(2).putPayload(new byte[4], 0, 4);
        final IllegalStateException commitEx = assertThrows(IllegalStateException.class, failingPublisher::commit);
        assertTrue(commitEx.getMessage().startsWith("encoded length is not the claimed length"), commitEx::toString);
        assertEquals(1, commitEx.getSuppressed().length, commitEx::toString);
        assertTrue(commitEx.getSuppressed()[0].getMessage().startsWith("abort failed"), commitEx::toString);
        assertFalse(failingPublisher.hasOpenClaim());
    }

    /**
     * @return the ring, but its abort throws, as a ring's does for a claim the consumer skipped after its timeout.
     */
    private static Ring abortFailing(final Ring ring)
    {
        return (Ring)Proxy.newProxyInstance(Ring.class.getClassLoader(), new Class<?>[]{ Ring.class },
            (proxy, method, args) ->
            {
                if ("abort".equals(method.getName()))
                {
                    throw new IllegalStateException("abort failed: offset=" + args[0]);
                }
                return method.invoke(ring, args);
            });
    }

    @Test
    void shouldRefuseMisuse()
    {
        assertThrows(IllegalStateException.class, publisher::commit);
        assertThrows(IllegalStateException.class, publisher::abort);
        assertThrows(IllegalArgumentException.class,
            () -> publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH - 1));
        assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(heartbeat, ring.maxMessageLength() + 1));

        assertTrue(publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) > 0);
        assertThrows(IllegalStateException.class,
            () -> publisher.tryClaim(new SensorReadingEncoder(), MessageLengths.SENSOR_READING_LENGTH));
        heartbeat.sourceId(1).sequence(5).timestampNs(3);
        publisher.commit();
        assertEquals(1, ring.read(dispatcher, 10));
        assertEquals(List.of("heartbeat 5"), received);
    }
}
