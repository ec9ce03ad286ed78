package io.conduit.ring;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * An off-heap buffer whose stores stop at a chosen count, as a process killed there: the store that would be the
 * {@code killAt}-th counted (over every buffer sharing the count) throws {@link Killed} instead of taking place. A ring
 * built over such buffers reaches them through their own methods ({@link RingMemory.Delegating}), so every store of
 * its protocol is counted: word stores, compare-and-sets, adds and copies.
 */
final class KillableBuffer extends UnsafeBuffer
{
    /** Thrown by a store the process does not live to make. */
    static final class Killed extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Killed()
        {
            super("killed", null, false, false);
        }
    }

    /**
     * The count of stores that buffers share, and the one at which their process dies.
     */
    static final class Stores
    {
        private int made;
        private int killAt = -1;

        /**
         * @param length bytes.
         * @return a buffer counting its stores here.
         */
        KillableBuffer buffer(final int length)
        {
            return new KillableBuffer(length, this);
        }

        /**
         * Count from 0 again, and die at the {@code storeCount}-th store.
         */
        void arm(final int storeCount)
        {
            made = 0;
            killAt = storeCount;
        }

        /**
         * Never die; the count goes on.
         */
        void disarm()
        {
            killAt = -1;
        }

        /**
         * @return stores made since {@link #arm}.
         */
        int made()
        {
            return made;
        }

        private void store()
        {
            if (++made == killAt)
            {
                throw new Killed();
            }
        }
    }

    private final Stores stores;

    private KillableBuffer(final int length, final Stores stores)
    {
        super(ByteBuffer.allocateDirect(length));
        this.stores = stores;
    }

    private void store()
    {
        stores.store();
    }

    @Override
    public void putLong(final int index, final long value)
    {
        store();
        super.putLong(index, value);
    }

    @Override
    public void putLongRelease(final int index, final long value)
    {
        store();
        super.putLongRelease(index, value);
    }

    @Override
    public void putLongVolatile(final int index, final long value)
    {
        store();
        super.putLongVolatile(index, value);
    }

    @Override
    public boolean compareAndSetLong(final int index, final long expected, final long value)
    {
        store();
        return super.compareAndSetLong(index, expected, value);
    }

    @Override
    public long getAndAddLong(final int index, final long delta)
    {
        store();
        return super.getAndAddLong(index, delta);
    }

    @Override
    public void putBytes(final int index, final org.agrona.DirectBuffer source, final int sourceIndex, final int length)
    {
        store();
        super.putBytes(index, source, sourceIndex, length);
    }
}
