package io.conduit.codec;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An off-heap buffer that records the lowest and highest byte read through its primitive and bulk byte getters, the
 * ones SBE decoders of messages without groups or var-data call. It stands in for a ring's buffer, to show that a
 * decoder wrapped straight on it reads nothing outside the record, whatever {@code agrona.disable.bounds.checks}
 * says. Reads made through a {@link CheckedBuffer} wrapped over it go around these getters and are not recorded;
 * that view checks its own reads.
 * <p>
 * Threading: confined to the test thread.
 */
final class ReadRecordingBuffer extends UnsafeBuffer
{
    private int lowest;
    private int highest;
    private long reads;

    /**
     * @param capacity bytes to allocate off-heap.
     */
    ReadRecordingBuffer(final int capacity)
    {
        super(ByteBuffer.allocateDirect(capacity));
        forget();
    }

    /**
     * Forget the reads recorded so far.
     */
    void forget()
    {
        lowest = Integer.MAX_VALUE;
        highest = Integer.MIN_VALUE;
        reads = 0;
    }

    /**
     * @return reads made through this buffer since {@link #forget()}.
     */
    long reads()
    {
        return reads;
    }

    /**
     * @param offset start of the allowed range.
     * @param length length of the allowed range.
     * @return whether every read recorded since {@link #forget()} lies inside the range (true if there was none).
     */
    boolean readOnlyInside(final int offset, final int length)
    {
        return Integer.MAX_VALUE == lowest || (lowest >= offset && (long)highest <= (long)offset + length);
    }

    /**
     * @return the recorded range, for failure messages.
     */
    String readRange()
    {
        return Integer.MAX_VALUE == lowest ? "none" : "[" + lowest + ", " + highest + ")";
    }

    @Override
    public byte getByte(final int index)
    {
        record(index, Byte.BYTES);
        return super.getByte(index);
    }

    @Override
    public short getShort(final int index)
    {
        record(index, Short.BYTES);
        return super.getShort(index);
    }

    @Override
    public short getShort(final int index, final ByteOrder byteOrder)
    {
        record(index, Short.BYTES);
        return super.getShort(index, byteOrder);
    }

    @Override
    public char getChar(final int index)
    {
        record(index, Character.BYTES);
        return super.getChar(index);
    }

    @Override
    public char getChar(final int index, final ByteOrder byteOrder)
    {
        record(index, Character.BYTES);
        return super.getChar(index, byteOrder);
    }

    @Override
    public int getInt(final int index)
    {
        record(index, Integer.BYTES);
        return super.getInt(index);
    }

    @Override
    public int getInt(final int index, final ByteOrder byteOrder)
    {
        record(index, Integer.BYTES);
        return super.getInt(index, byteOrder);
    }

    @Override
    public long getLong(final int index)
    {
        record(index, Long.BYTES);
        return super.getLong(index);
    }

    @Override
    public long getLong(final int index, final ByteOrder byteOrder)
    {
        record(index, Long.BYTES);
        return super.getLong(index, byteOrder);
    }

    @Override
    public float getFloat(final int index)
    {
        record(index, Float.BYTES);
        return super.getFloat(index);
    }

    @Override
    public float getFloat(final int index, final ByteOrder byteOrder)
    {
        record(index, Float.BYTES);
        return super.getFloat(index, byteOrder);
    }

    @Override
    public double getDouble(final int index)
    {
        record(index, Double.BYTES);
        return super.getDouble(index);
    }

    @Override
    public double getDouble(final int index, final ByteOrder byteOrder)
    {
        record(index, Double.BYTES);
        return super.getDouble(index, byteOrder);
    }

    @Override
    public void getBytes(final int index, final byte[] dst)
    {
        record(index, dst.length);
        super.getBytes(index, dst);
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int offset, final int length)
    {
        record(index, length);
        super.getBytes(index, dst, offset, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dstBuffer, final int dstIndex, final int length)
    {
        record(index, length);
        super.getBytes(index, dstBuffer, dstIndex, length);
    }

    private void record(final int index, final int length)
    {
        reads++;
        lowest = Math.min(lowest, index);
        highest = (int)Math.max(highest, Math.min(Integer.MAX_VALUE, (long)index + length));
    }
}
