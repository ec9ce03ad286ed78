package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.MessageHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

/**
 * A ring of variable-length records in a memory-mapped channel file.
 * <p>
 * Zero-copy send:
 * <pre>{@code
 * final int offset = ring.tryClaim(typeId, length);
 * if (offset > 0)
 * {
 *     try
 *     {
 *         ring.buffer().putLong(offset, value);   // or wrap an SBE encoder at offset
 *     }
 *     catch (final Throwable ex)
 *     {
 *         ring.abort(offset);
 *         throw ex;
 *     }
 *     ring.commit(offset); // outside the try: a commit that throws may have published the message already
 * }
 * }</pre>
 * Threading: see the implementation; the consumer methods ({@code read}, {@code controlledRead}) may be called by
 * one thread in one process at a time.
 */
public interface Ring
{
    /**
     * Back-pressure: the ring has not enough free space for the record. Remedy: let the consumer drain, then retry.
     */
    int INSUFFICIENT_CAPACITY = -2;

    /**
     * @return the kind of this ring.
     */
    RingKind kind();

    /**
     * @return capacity of the ring in bytes, a power of two.
     */
    int capacity();

    /**
     * @return the longest message body, in bytes, that may be sent.
     */
    int maxMessageLength();

    /**
     * @return the ring's buffer: offsets returned by {@link #tryClaim} and passed to handlers index into it. Read and
     * write it; never re-wrap it: the ring and its publishers keep its address.
     */
    AtomicBuffer buffer();

    /**
     * Claim space for a message to be written in place. The claimed bytes are not zeroed: they hold what an earlier
     * lap left there until written, so write all {@code length} of them before {@link #commit}.
     *
     * @param typeId type id of the message, {@code >= 1}.
     * @param length length of the message body, {@code 0 <= length <= maxMessageLength()}.
     * @return offset in {@link #buffer()} at which to write the body (always {@code > 0} on success), or
     * {@link #INSUFFICIENT_CAPACITY}.
     * @throws IllegalArgumentException if {@code typeId} or {@code length} is out of range.
     */
    int tryClaim(int typeId, int length);

    /**
     * Publish a claimed message to the consumer.
     *
     * @param offset the value {@link #tryClaim} returned.
     * @throws IllegalArgumentException if {@code offset} is not a live claim: out of range, misaligned, or without a
     * claim's mark. A best-effort check: the 8 bytes at an aligned offset inside a long message's body, written by
     * the caller to look like a mark, pass it.
     * @throws IllegalStateException if the consumer skipped the claim after the stuck claim timeout: the message was
     * not delivered (SPSC reports this only for a claim that is not its latest, see docs/LAYOUT.md).
     */
    void commit(int offset);

    /**
     * Give back a claimed message: the consumer skips it.
     *
     * @param offset the value {@link #tryClaim} returned.
     * @throws IllegalArgumentException if {@code offset} is not a live claim.
     * @throws IllegalStateException if the consumer skipped the claim after the stuck claim timeout; for the
     * producer's latest claim this may go unreported, the abort then changing nothing (docs/LAYOUT.md, "Limits of the
     * timeout skip").
     */
    void abort(int offset);

    /**
     * Copy a message into the ring.
     *
     * @param typeId type id of the message, {@code >= 1}.
     * @param source buffer holding the body.
     * @param offset offset of the body in {@code source}.
     * @param length length of the body, {@code 0 <= length <= maxMessageLength()}.
     * @return {@code true} if sent, {@code false} on back-pressure.
     * @throws IllegalArgumentException  if {@code typeId} or {@code length} is out of range.
     * @throws IndexOutOfBoundsException if {@code [offset, offset + length)} is outside {@code source} (checked
     *                                   whatever {@code agrona.disable.bounds.checks} says); the claim is aborted, so
     *                                   nothing is sent and the consumer is not held up.
     */
    boolean offer(int typeId, DirectBuffer source, int offset, int length);

    /**
     * Read up to {@code limit} messages, advancing the head once for the whole batch.
     *
     * @param handler called for each message.
     * @param limit most messages to read; below 1, none (the consumer still attaches).
     * @return number of messages read.
     * @throws io.conduit.CorruptChannelException if a record fails validation; messages before it stay consumed.
     * @throws NullPointerException if the handler is null, before anything is read.
     * @throws IllegalStateException if called from inside a handler of this ring's own {@code read} or
     * {@code controlledRead}, which would deliver the running batch again and then lose messages.
     */
    int read(MessageHandler handler, int limit);

    /**
     * Read up to {@code limit} messages, letting the handler steer the batch.
     *
     * @param handler called for each message; an action of null is taken as {@code CONTINUE}.
     * @param limit most messages to read; below 1, none (the consumer still attaches).
     * @return number of messages consumed.
     * @throws io.conduit.CorruptChannelException if a record fails validation; messages before it stay consumed.
     * @throws NullPointerException if the handler is null, before anything is read.
     * @throws IllegalStateException if called from inside a handler of this ring's own {@code read} or
     * {@code controlledRead}.
     */
    int controlledRead(ControlledMessageHandler handler, int limit);

    /**
     * @return bytes claimed but not yet consumed, a snapshot.
     */
    int size();

    /**
     * @return position of the producer side in bytes, a snapshot.
     */
    long tailPosition();

    /**
     * @return position of the consumer side in bytes, a snapshot.
     */
    long headPosition();
}
