package io.conduit.codec;

import io.conduit.ring.Ring;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageEncoderFlyweight;

import java.util.Objects;

import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;

/**
 * Encodes SBE messages straight into a ring: claims exactly the encoded length, writes the SBE header, wraps the
 * caller's encoder at the message block, and commits or aborts the claim.
 * <p>
 * The ring type id of each message is its template id ({@code encoder.sbeTemplateId()}, which must be {@code >= 1});
 * the {@link SbeDispatcher} checks it. The length given is the whole encoded message: SBE header, block, groups and
 * var-data ({@link MessageLengths} computes it for Conduit's messages, and {@link MessageLengths#fixedLength} for any
 * message without groups or var-data).
 * <p>
 * Claim, fill, commit, with no allocation:
 * <pre>{@code
 * final SbePublisher publisher = new SbePublisher(ring);
 * final PingEncoder ping = new PingEncoder();
 *
 * if (publisher.tryClaim(ping, MessageLengths.pingLength(payloadLength)) > 0)
 * {
 *     try
 *     {
 *         ping.sequence(sequence).sendTimeNs(System.nanoTime()).putPayload(payload, 0, payloadLength);
 *         publisher.commit();
 *     }
 *     catch (final Throwable ex)
 *     {
 *         if (publisher.hasOpenClaim()) // a failed commit has already ended the claim (aborted it), and says why
 *         {
 *             try
 *             {
 *                 publisher.abort();
 *             }
 *             catch (final RuntimeException abortEx) // the consumer skipped the claim after its timeout
 *             {
 *                 ex.addSuppressed(abortEx);
 *             }
 *         }
 *         throw ex;
 *     }
 * }
 * }</pre>
 * or let {@link #offer} do the try/commit/abort around an {@link SbeEncodeHandler}.
 * <p>
 * The claim is zeroed after the SBE header before the encoder is wrapped, so a field left unset reads 0, never a
 * byte of an earlier message. The encoder writes through a view bounded to the claim, which checks every access
 * itself (whatever {@code agrona.disable.bounds.checks} says), so a wrong length throws
 * {@link IndexOutOfBoundsException} instead of writing over a neighbouring record. {@link #commit()} also checks
 * that the encoded length is exactly the claimed length, since a shorter message would leave stale bytes where the
 * reader expects a group or var-data length.
 * <p>
 * Threading: one publisher per producer thread; at most one open claim at a time. Any number of publishers may share
 * a ring that allows many producers.
 */
public final class SbePublisher
{
    private static final int NO_CLAIM = -1;
    private static final int CLEAR_BY_WORDS_LIMIT = 256;

    private final Ring ring;
    private final AtomicBuffer buffer;
    // the ring's buffer as a base and an address, for the header and clearing stores inside a claim checked once
    private final Object base;
    private final long address;
    private final int capacity;
    // false for a buffer other than a plain UnsafeBuffer (a subclass may check or record): its own methods are used
    private final boolean plainBuffer;
    // a plain UnsafeBuffer off the heap (every mapped ring): the claim view then holds an address only, and is moved
    // from claim to claim and detached by storing its address and capacity, with no check or reference store
    private final boolean addressView;
    private final int maxMessageLength;
    private final CheckedBuffer claimView = new CheckedBuffer();
    private MessageEncoderFlyweight claimEncoder;
    private int claimOffset = NO_CLAIM;
    // whether a commit has succeeded since offer called its handler, which may end the claim itself: cleared by offer
    // alone, so tryClaim and commit pay one store for it, not two
    private boolean lastClaimCommitted;

    /**
     * @param ring the ring to send on.
     */
    public SbePublisher(final Ring ring)
    {
        this.ring = Objects.requireNonNull(ring, "ring");
        this.buffer = ring.buffer();
        this.base = buffer.byteArray();
        this.address = buffer.addressOffset();
        this.capacity = buffer.capacity();
        this.plainBuffer = UnsafeBuffer.class == buffer.getClass();
        this.addressView = plainBuffer && null == base;
        if (addressView)
        {
            claimView.wrapAddress(address);
        }
        else
        {
            claimView.refuseWraps();
        }
        this.maxMessageLength = ring.maxMessageLength();
    }

    /**
     * @return the ring this publisher sends on.
     */
    public Ring ring()
    {
        return ring;
    }

    /**
     * Claim {@code length} bytes, write the SBE header for the encoder's message, and wrap the encoder at the message
     * block. On success, fill the encoder, then call {@link #commit()}, or {@link #abort()} if filling fails.
     *
     * @param encoder the encoder to wrap over the claim.
     * @param length  encoded length of the whole message, SBE header included.
     * @return offset of the message in {@code ring.buffer()} ({@code > 0}) on success, or
     * {@link Ring#INSUFFICIENT_CAPACITY} on back-pressure (no claim is open then).
     * @throws IllegalStateException    if a claim is already open.
     * @throws IllegalArgumentException if the template id is below 1 or the length is shorter than header and block
     *                                  or longer than {@link Ring#maxMessageLength()}.
     */
    public int tryClaim(final MessageEncoderFlyweight encoder, final int length)
    {
        if (NO_CLAIM != claimOffset)
        {
            throw new IllegalStateException("a claim is already open: offset=" + claimOffset);
        }
        final int templateId = encoder.sbeTemplateId();
        final int blockLength = encoder.sbeBlockLength();
        checkClaim(templateId, blockLength, length);
        // before the claim: a field out of range throws with nothing claimed, not with a claim left open
        final long header = MessageHeaderDescriptor.header(
            blockLength, templateId, encoder.sbeSchemaId(), encoder.sbeSchemaVersion());

        final Ring ring = this.ring;
        final int offset = ring.tryClaim(templateId, length);
        if (offset > 0)
        {
            if (length > capacity - offset)
            {
                ring.abort(offset);
                throw new IllegalStateException("the ring's claim runs past its buffer: offset=" + offset +
                    " length=" + length + " capacity=" + capacity);
            }
            try
            {
                // [offset, offset + length) is inside the buffer, as just checked, and length >= HEADER_LENGTH +
                // blockLength, as checked above: the stores below need no check of their own
                clear(offset + HEADER_LENGTH, length - HEADER_LENGTH);
                if (plainBuffer)
                {
                    MessageHeaderDescriptor.putHeaderAt(base, address + offset, header);
                }
                else
                {
                    MessageHeaderDescriptor.writeHeader(buffer, offset, header);
                }
                final CheckedBuffer claimView = this.claimView;
                if (addressView)
                {
                    claimView.moveRegion(address + offset, length); // inside the buffer, as checked above
                }
                else
                {
                    claimView.wrapRegion(buffer, offset, length);
                }
                encoder.wrap(claimView, HEADER_LENGTH);
                if (encoder != claimEncoder)
                {
                    // kept after the claim ends: storing a reference per message costs a GC write barrier each time
                    claimEncoder = encoder;
                }
            }
            catch (final RuntimeException | Error ex)
            {
                // nothing recorded yet, so no abort() of the caller's could end it: a claim left open here would
                // hold the ring until the consumer's stuck-claim timeout. The view may already lie over the claim:
                // detached, so no encoder still holding it writes into bytes that are the next claim's
                detachView();
                try
                {
                    ring.abort(offset);
                }
                catch (final RuntimeException | Error abortEx)
                {
                    ex.addSuppressed(abortEx);
                }
                throw ex;
            }
            claimOffset = offset; // the claim's length is the view's capacity until it is detached
        }

        return offset;
    }

    /**
     * Publish the open claim.
     *
     * @throws IllegalStateException if no claim is open, or if the encoded length is not the claimed length (the
     *                               claim is then aborted).
     */
    public void commit()
    {
        final int offset = claimOffset;
        if (NO_CLAIM == offset)
        {
            throw new IllegalStateException("no open claim to commit");
        }
        final MessageEncoderFlyweight encoder = claimEncoder;
        final int encodedLength = HEADER_LENGTH + encoder.encodedLength();
        final int claimedLength = claimView.capacity();
        claimOffset = NO_CLAIM;
        detachView(); // the bytes are the reader's now: a later write through the encoder throws
        if (encodedLength != claimedLength)
        {
            Throwable abortFailure = null;
            try
            {
                ring.abort(offset);
            }
            catch (final RuntimeException | Error abortEx)
            {
                // the consumer skipped the claim after its timeout: the length's failure is the one to report
                abortFailure = abortEx;
            }
            final IllegalStateException ex = new IllegalStateException("encoded length is not the claimed length, " +
                (null == abortFailure ? "claim aborted" : "and aborting the claim failed (suppressed)") +
                ": encodedLength=" + encodedLength + " claimedLength=" + claimedLength + " templateId=" +
                encoder.sbeTemplateId() + " schemaId=" + encoder.sbeSchemaId());
            if (null != abortFailure)
            {
                ex.addSuppressed(abortFailure);
            }
            throw ex;
        }
        // Ring.commit release-stores the record length last, publishing every byte encoded above
        ring.commit(offset);
        lastClaimCommitted = true; // not if the ring refused it (a claim the consumer skipped)
    }

    /**
     * Give back the open claim: the reader skips it.
     *
     * @throws IllegalStateException if no claim is open.
     */
    public void abort()
    {
        final int offset = claimOffset;
        if (NO_CLAIM == offset)
        {
            throw new IllegalStateException("no open claim to abort");
        }
        claimOffset = NO_CLAIM;
        detachView();
        ring.abort(offset);
    }

    /**
     * @return whether a claim is open.
     */
    public boolean hasOpenClaim()
    {
        return NO_CLAIM != claimOffset;
    }

    /**
     * Claim, let the handler fill the encoder, and commit; abort the claim if the handler throws, then rethrow. A
     * handler that commits the claim itself ({@link #commit()}) has sent the message, and offer returns {@code true}
     * without committing again; one that aborts it gets an {@link IllegalStateException}, since nothing was sent.
     *
     * @param encoder the encoder to wrap over the claim.
     * @param length  encoded length of the whole message, SBE header included.
     * @param handler fills the encoder.
     * @param <E>     type of the generated encoder.
     * @return {@code true} if sent, {@code false} on back-pressure (the handler was not called).
     * @throws IllegalStateException    if a claim is already open, the encoded length is not {@code length}, or the
     *                                  handler aborted the claim.
     * @throws IllegalArgumentException as {@link #tryClaim}.
     */
    public <E extends MessageEncoderFlyweight> boolean offer(
        final E encoder, final int length, final SbeEncodeHandler<? super E> handler)
    {
        final int offset = tryClaim(encoder, length);
        if (offset <= 0)
        {
            return false;
        }
        lastClaimCommitted = false;
        try
        {
            handler.encode(encoder);
        }
        catch (final Throwable ex)
        {
            if (hasOpenClaim())
            {
                try
                {
                    abort();
                }
                catch (final RuntimeException | Error abortEx)
                {
                    // the consumer skipped the claim after its timeout: the handler's failure is the one to report
                    ex.addSuppressed(abortEx);
                }
            }
            throw ex;
        }
        if (offset != claimOffset)
        {
            // the handler ended the claim itself
            if (lastClaimCommitted)
            {
                return true;
            }
            throw new IllegalStateException("the handler ended the claim without sending it (it aborted, or the ring " +
                "refused its commit): nothing sent, offset=" + offset + " templateId=" + encoder.sbeTemplateId());
        }
        commit();
        return true;
    }

    /**
     * Detach the claim view. The branch is the publisher's own, on a flag it keeps, rather than one inside
     * {@link CheckedBuffer#detach()} on the view's: folded there, the SBE path took 604.3 instructions a message
     * against 591.7 (perf/icount.sh --codec sbe).
     */
    private void detachView()
    {
        if (addressView)
        {
            claimView.detachRegion();
        }
        else
        {
            claimView.detach();
        }
    }

    /**
     * Zero the claim after the SBE header: the ring clears only each line's first 8 bytes before reuse, so a field
     * the caller leaves unset would otherwise read what an earlier message left there. Word stores for a short
     * message (a native call costs more than a few of them), the last one overlapping the one before rather than
     * a byte at a time; {@code setMemory} for a long one. The range is inside a claim checked in tryClaim.
     */
    private void clear(final int index, final int length)
    {
        if (length > CLEAR_BY_WORDS_LIMIT || !plainBuffer)
        {
            buffer.setMemory(index, length, (byte)0);
            return;
        }
        final Object base = this.base;
        final long start = address + index;
        if (length < Long.BYTES)
        {
            for (int i = 0; i < length; i++)
            {
                UnsafeApi.putByte(base, start + i, (byte)0);
            }
            return;
        }
        int i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES)
        {
            UnsafeApi.putLong(base, start + i, 0L);
        }
        if (i < length)
        {
            UnsafeApi.putLongUnaligned(base, start + length - Long.BYTES, 0L);
        }
    }

    private void checkClaim(final int templateId, final int blockLength, final int length)
    {
        if (templateId < 1)
        {
            throw new IllegalArgumentException("template id must be >= 1 (it is the ring type id): templateId=" +
                templateId);
        }
        if (blockLength < 0)
        {
            throw new IllegalArgumentException("block length must be >= 0: blockLength=" + blockLength +
                " templateId=" + templateId);
        }
        if (length < HEADER_LENGTH + blockLength || length > maxMessageLength)
        {
            throw new IllegalArgumentException("length must be in [header + block, maxMessageLength]: length=" +
                length + " headerAndBlock=" + (HEADER_LENGTH + blockLength) + " maxMessageLength=" +
                maxMessageLength + " templateId=" + templateId);
        }
    }
}
