package io.conduit.ring;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The words a ring's hot path loads and stores, in its region of the channel file or in the file's header, at
 * offsets the ring has already proven in range, so without the generic check {@link AtomicBuffer} makes on every
 * access (and the reloads of its fields it forces after every fence). What that saves an offer and a read on one
 * thread is measured in docs/LAYOUT.md ("Checks the rings make themselves").
 * <p>
 * Callers pass only offsets of these kinds, each in range by construction:
 * <ul>
 *     <li>a ring offset {@code (int)position & mask}: a multiple of {@link RecordDescriptor#ALIGNMENT} below the
 *     capacity, a power of two of at least {@code ALIGNMENT} ({@link RingConstants} checks both);</li>
 *     <li>a claim's offset given back by a caller, only after {@link AbstractRing#checkedClaimHeader} or the
 *     producer's own pending claim has proven it one;</li>
 *     <li>a header field offset from {@link io.conduit.file.ChannelFileDescriptor}, below
 *     {@code FILE_HEADER_LENGTH}, which the header buffer is checked to cover.</li>
 * </ul>
 * Lengths and offsets read from shared memory are never passed here unchecked: the ring checks them first
 * ({@link AbstractRing#checkRecord} and the position checks). Buffers that are not plain {@link UnsafeBuffer}s (a
 * recording buffer in a test, say) get {@link Delegating}, which calls the buffer's own checked methods; in a
 * process that never builds one, the JIT sees a single implementation and inlines these methods.
 * <p>
 * Memory ordering is that of the same-named {@link AtomicBuffer} methods.
 */
class RingMemory
{
    private final Object base;
    private final long address;

    /**
     * @param buffer the region.
     */
    RingMemory(final AtomicBuffer buffer)
    {
        this.base = buffer.byteArray();
        this.address = buffer.addressOffset();
    }

    /**
     * @param buffer a ring region or a channel header.
     * @return direct access for a plain {@link UnsafeBuffer}, else access through the buffer's own methods.
     */
    static RingMemory of(final AtomicBuffer buffer)
    {
        return UnsafeBuffer.class == buffer.getClass() ? new RingMemory(buffer) : new Delegating(buffer);
    }

    long getLongVolatile(final int offset)
    {
        return UnsafeApi.getLongVolatile(base, address + offset);
    }

    int getIntVolatile(final int offset)
    {
        return UnsafeApi.getIntVolatile(base, address + offset);
    }

    long getLong(final int offset)
    {
        return UnsafeApi.getLong(base, address + offset);
    }

    void putLong(final int offset, final long value)
    {
        UnsafeApi.putLong(base, address + offset, value);
    }

    void putLongRelease(final int offset, final long value)
    {
        UnsafeApi.putLongRelease(base, address + offset, value);
    }

    boolean compareAndSetLong(final int offset, final long expected, final long value)
    {
        return UnsafeApi.compareAndSetLong(base, address + offset, expected, value);
    }

    long getAndAddLong(final int offset, final long delta)
    {
        return UnsafeApi.getAndAddLong(base, address + offset, delta);
    }

    /**
     * Copy {@code length} bytes of {@code source}, whose range is checked, to {@code offset}, a claim of at least
     * that length.
     */
    void putBytes(final int offset, final DirectBuffer source, final int sourceOffset, final int length)
    {
        source.boundsCheck(sourceOffset, length);
        UnsafeApi.copyMemory(source.byteArray(), source.addressOffset() + sourceOffset, base, address + offset, length);
    }

    /**
     * Every access through the buffer's own (checked, overridable) methods.
     */
    static final class Delegating extends RingMemory
    {
        private final AtomicBuffer buffer;

        Delegating(final AtomicBuffer buffer)
        {
            super(buffer);
            this.buffer = buffer;
        }

        @Override
        long getLongVolatile(final int offset)
        {
            return buffer.getLongVolatile(offset);
        }

        @Override
        int getIntVolatile(final int offset)
        {
            return buffer.getIntVolatile(offset);
        }

        @Override
        long getLong(final int offset)
        {
            return buffer.getLong(offset);
        }

        @Override
        void putLong(final int offset, final long value)
        {
            buffer.putLong(offset, value);
        }

        @Override
        void putLongRelease(final int offset, final long value)
        {
            buffer.putLongRelease(offset, value);
        }

        @Override
        boolean compareAndSetLong(final int offset, final long expected, final long value)
        {
            return buffer.compareAndSetLong(offset, expected, value);
        }

        @Override
        long getAndAddLong(final int offset, final long delta)
        {
            return buffer.getAndAddLong(offset, delta);
        }

        @Override
        void putBytes(final int offset, final DirectBuffer source, final int sourceOffset, final int length)
        {
            source.boundsCheck(sourceOffset, length); // as the plain path: whatever agrona.disable.bounds.checks says
            buffer.putBytes(offset, source, sourceOffset, length);
        }
    }
}
