package io.conduit.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A reusable view of one record that checks every access against its own capacity explicitly, whatever
 * {@code agrona.disable.bounds.checks} says: a length decoded from shared memory can make a codec read or write
 * outside the view, but never outside the record.
 * <p>
 * Checked: the primitive accessors of every width and byte order, the bulk byte accessors, {@code setMemory} and the
 * ASCII/UTF-8 "without length" string accessors, which are what SBE-generated codecs call (and a handler zeroing a
 * field). A check failure is an
 * {@link IndexOutOfBoundsException}. A bulk copy is checked on the caller's side too (the array or buffer copied to
 * or from), which Agrona checks only while its own checks are on.
 * <p>
 * Not checked beyond Agrona's own checks: the other methods of {@link UnsafeBuffer} (length-prefixed string
 * accessors, ASCII number parsers and writers, ordered and atomic accessors, {@code wrap}), which generated codecs do
 * not call on it
 * (docs/CODEC.md, "What the view covers"). A publisher's claim view refuses every {@code wrap}: it moves with the
 * claims alone.
 * <p>
 * Cost: the bounds test is written exactly as Agrona's own ({@code Objects.checkFromIndexSize}), so when Agrona's
 * checks are on C2 drops Agrona's test as a duplicate of this one, which runs first (seen in its output on JDK 17):
 * one test per access either way.
 * <p>
 * Threading: confined to the thread that owns the dispatcher or publisher holding it.
 */
final class CheckedBuffer extends UnsafeBuffer
{
    private static final byte[] EMPTY = new byte[0];

    private boolean detached;
    // made by wrapAddress: moved only by moveRegion and detachRegion, which rely on its holding an address alone
    private boolean addressOnly;
    // a publisher's claim view (refuseWraps, or wrapAddress): every public wrap is refused (an encoder hands the view
    // out as its buffer()), so only the publisher moves it, and its capacity is the claim's length
    private boolean wrapsRefused;

    /**
     * A view of nothing, capacity 0, until wrapped.
     */
    CheckedBuffer()
    {
        super(EMPTY);
    }

    /**
     * View {@code length} bytes of {@code buffer} from {@code offset}, as {@link #wrap(DirectBuffer, int, int)} does,
     * but for an off-heap buffer without storing a reference: {@code wrap(DirectBuffer, int, int)} stores the
     * buffer's {@code ByteBuffer}, and in an old-generation view that store runs G1's post-write barrier, a StoreLoad
     * fence, once per message. The view then holds an address only: its {@code byteBuffer()} is null and its
     * {@code wrapAdjustment()} 0 (a handler that needs the mapped {@code ByteBuffer} takes it from the ring's own
     * buffer), and the caller keeps {@code buffer} (a ring's mapped file) alive and mapped while the view is used.
     *
     * @param buffer the buffer viewed.
     * @param offset where the view starts in it.
     * @param length bytes in the view.
     * @throws IndexOutOfBoundsException if the range is not inside {@code buffer}.
     */
    void wrapRegion(final DirectBuffer buffer, final int offset, final int length)
    {
        if (isOutside(offset, length, buffer.capacity()))
        {
            throw new IndexOutOfBoundsException("offset=" + offset + " length=" + length + " capacity=" +
                buffer.capacity());
        }
        if (null == buffer.byteArray())
        {
            super.wrap(buffer.addressOffset() + offset, length);
        }
        else
        {
            super.wrap(buffer, offset, length);
        }
        detached = false;
    }

    /**
     * Make this a view of nothing at {@code address}, detached, holding no reference: the state {@link #moveRegion}
     * and {@link #detachRegion} keep. For a publisher over a mapped ring, whose claims all lie in one address range.
     *
     * @param address where the viewed memory starts.
     */
    void wrapAddress(final long address)
    {
        super.wrap(address, 0);
        detached = false; // for an address view, a capacity of 0 says it is detached: one store fewer per move
        addressOnly = true;
        wrapsRefused = true;
    }

    /**
     * Refuse every public {@code wrap} from now on, for a publisher's claim view: only {@link #wrapRegion} and
     * {@link #detach} move it then, and its capacity is the length of the claim it lies over.
     */
    void refuseWraps()
    {
        wrapsRefused = true;
    }

    /**
     * View {@code length} bytes from {@code address}, in a view made by {@link #wrapAddress} and since moved only by
     * this method and {@link #detachRegion}: two stores, where {@link #wrapRegion} checks the range again and
     * {@code wrap(long, int)} makes five stores, two of them references with G1's pre-write barrier. No detached flag
     * is stored: a capacity of 0 says the view is detached. The caller has checked that the range lies inside the
     * memory it maps.
     *
     * @param address where the view starts.
     * @param length  bytes in the view, at least 1: a view of 0 bytes is a detached one.
     */
    void moveRegion(final long address, final int length)
    {
        addressOffset = address;
        capacity = length;
    }

    /**
     * {@link #detach} for a view moved by {@link #moveRegion}: a capacity of 0, the address kept.
     */
    void detachRegion()
    {
        capacity = 0;
    }

    /**
     * Refuse every access until the next {@link #wrapRegion}, naming the reason: for an encoder whose claim has been
     * committed or aborted, whose bytes now belong to the reader, or to the next claim. Off-heap (a mapped ring) no
     * reference is stored: the view keeps its address with a capacity of 0.
     */
    void detach()
    {
        if (null == byteArray())
        {
            super.wrap(addressOffset(), 0);
        }
        else
        {
            super.wrap(EMPTY);
        }
        detached = true;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final byte[] buffer)
    {
        checkWrappable();
        super.wrap(buffer);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final byte[] buffer, final int offset, final int length)
    {
        checkWrappable();
        super.wrap(buffer, offset, length);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final ByteBuffer buffer)
    {
        checkWrappable();
        super.wrap(buffer);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        checkWrappable();
        super.wrap(buffer, offset, length);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final DirectBuffer buffer)
    {
        checkWrappable();
        super.wrap(buffer);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        checkWrappable();
        super.wrap(buffer, offset, length);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this is a publisher's claim view.
     */
    @Override
    public void wrap(final long address, final int length)
    {
        checkWrappable();
        super.wrap(address, length);
    }

    /**
     * A publisher's claim view moves only with its claims: re-wrapped by a caller (through an encoder's
     * {@code buffer()}), it would take the caller's array as the base of the next claim's ring address.
     */
    private void checkWrappable()
    {
        if (wrapsRefused)
        {
            throw new IllegalStateException("the record view of an SbePublisher's claim cannot be re-wrapped: it " +
                "moves with each claim; wrap a buffer of your own instead");
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void boundsCheck(final int index, final int length)
    {
        checkWrite(index, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public byte getByte(final int index)
    {
        checkRead(index, Byte.BYTES);
        return super.getByte(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putByte(final int index, final byte value)
    {
        checkWrite(index, Byte.BYTES);
        super.putByte(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public short getShort(final int index)
    {
        checkRead(index, Short.BYTES);
        return super.getShort(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putShort(final int index, final short value)
    {
        checkWrite(index, Short.BYTES);
        super.putShort(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public short getShort(final int index, final ByteOrder byteOrder)
    {
        checkRead(index, Short.BYTES);
        return super.getShort(index, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putShort(final int index, final short value, final ByteOrder byteOrder)
    {
        checkWrite(index, Short.BYTES);
        super.putShort(index, value, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public char getChar(final int index)
    {
        checkRead(index, Character.BYTES);
        return super.getChar(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putChar(final int index, final char value)
    {
        checkWrite(index, Character.BYTES);
        super.putChar(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public char getChar(final int index, final ByteOrder byteOrder)
    {
        checkRead(index, Character.BYTES);
        return super.getChar(index, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putChar(final int index, final char value, final ByteOrder byteOrder)
    {
        checkWrite(index, Character.BYTES);
        super.putChar(index, value, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int getInt(final int index)
    {
        checkRead(index, Integer.BYTES);
        return super.getInt(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putInt(final int index, final int value)
    {
        checkWrite(index, Integer.BYTES);
        super.putInt(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int getInt(final int index, final ByteOrder byteOrder)
    {
        checkRead(index, Integer.BYTES);
        return super.getInt(index, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putInt(final int index, final int value, final ByteOrder byteOrder)
    {
        checkWrite(index, Integer.BYTES);
        super.putInt(index, value, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long getLong(final int index)
    {
        checkRead(index, Long.BYTES);
        return super.getLong(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putLong(final int index, final long value)
    {
        checkWrite(index, Long.BYTES);
        super.putLong(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long getLong(final int index, final ByteOrder byteOrder)
    {
        checkRead(index, Long.BYTES);
        return super.getLong(index, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putLong(final int index, final long value, final ByteOrder byteOrder)
    {
        checkWrite(index, Long.BYTES);
        super.putLong(index, value, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public float getFloat(final int index)
    {
        checkRead(index, Float.BYTES);
        return super.getFloat(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putFloat(final int index, final float value)
    {
        checkWrite(index, Float.BYTES);
        super.putFloat(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public float getFloat(final int index, final ByteOrder byteOrder)
    {
        checkRead(index, Float.BYTES);
        return super.getFloat(index, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putFloat(final int index, final float value, final ByteOrder byteOrder)
    {
        checkWrite(index, Float.BYTES);
        super.putFloat(index, value, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public double getDouble(final int index)
    {
        checkRead(index, Double.BYTES);
        return super.getDouble(index);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putDouble(final int index, final double value)
    {
        checkWrite(index, Double.BYTES);
        super.putDouble(index, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public double getDouble(final int index, final ByteOrder byteOrder)
    {
        checkRead(index, Double.BYTES);
        return super.getDouble(index, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putDouble(final int index, final double value, final ByteOrder byteOrder)
    {
        checkWrite(index, Double.BYTES);
        super.putDouble(index, value, byteOrder);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void getBytes(final int index, final byte[] dst)
    {
        checkRead(index, dst.length);
        super.getBytes(index, dst);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void getBytes(final int index, final byte[] dst, final int offset, final int length)
    {
        checkRead(index, length);
        checkOther(offset, length, dst.length, "dst");
        super.getBytes(index, dst, offset, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void getBytes(final int index, final MutableDirectBuffer dstBuffer, final int dstIndex, final int length)
    {
        checkRead(index, length);
        if (!dstBuffer.isExpandable()) // an expandable buffer grows to take the bytes
        {
            checkOther(dstIndex, length, dstBuffer.capacity(), "dstBuffer");
        }
        super.getBytes(index, dstBuffer, dstIndex, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void getBytes(final int index, final ByteBuffer dstBuffer, final int length)
    {
        checkRead(index, length);
        checkOther(dstBuffer.position(), length, dstBuffer.limit(), "dstBuffer"); // a relative put: up to the limit
        super.getBytes(index, dstBuffer, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void getBytes(final int index, final ByteBuffer dstBuffer, final int dstOffset, final int length)
    {
        checkRead(index, length);
        checkOther(dstOffset, length, dstBuffer.capacity(), "dstBuffer");
        super.getBytes(index, dstBuffer, dstOffset, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putBytes(final int index, final byte[] src)
    {
        checkWrite(index, src.length);
        super.putBytes(index, src);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putBytes(final int index, final byte[] src, final int offset, final int length)
    {
        checkWrite(index, length);
        checkOther(offset, length, src.length, "src");
        super.putBytes(index, src, offset, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putBytes(final int index, final ByteBuffer srcBuffer, final int length)
    {
        checkWrite(index, length);
        checkOther(srcBuffer.position(), length, srcBuffer.limit(), "srcBuffer"); // a relative get: up to the limit
        super.putBytes(index, srcBuffer, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putBytes(final int index, final ByteBuffer srcBuffer, final int srcIndex, final int length)
    {
        checkWrite(index, length);
        checkOther(srcIndex, length, srcBuffer.capacity(), "srcBuffer");
        super.putBytes(index, srcBuffer, srcIndex, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
    {
        checkWrite(index, length);
        checkOther(srcIndex, length, srcBuffer.capacity(), "srcBuffer");
        super.putBytes(index, srcBuffer, srcIndex, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String getStringWithoutLengthAscii(final int index, final int length)
    {
        checkRead(index, length);
        return super.getStringWithoutLengthAscii(index, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int getStringWithoutLengthAscii(final int index, final int length, final Appendable appendable)
    {
        checkRead(index, length);
        return super.getStringWithoutLengthAscii(index, length, appendable);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String getStringWithoutLengthUtf8(final int index, final int length)
    {
        checkRead(index, length);
        return super.getStringWithoutLengthUtf8(index, length);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int putStringWithoutLengthAscii(final int index, final String value)
    {
        checkWrite(index, null == value ? 0 : value.length());
        return super.putStringWithoutLengthAscii(index, value);
    }

    /**
     * As {@link UnsafeBuffer}'s, a character above 127 written as {@code '?'}; the length read once, checked and
     * written, where Agrona reads it again after the check (a sequence that grows meanwhile would write past it).
     */
    @Override
    public int putStringWithoutLengthAscii(final int index, final CharSequence value)
    {
        final int length = null == value ? 0 : value.length();
        checkWrite(index, length);
        putAscii(index, value, 0, length);
        return length;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int putStringWithoutLengthAscii(
        final int index, final String value, final int valueOffset, final int length)
    {
        checkWrite(index, checkedSubLength(value, valueOffset, length));
        return super.putStringWithoutLengthAscii(index, value, valueOffset, length);
    }

    /**
     * As {@link UnsafeBuffer}'s, with the length read once, as in
     * {@link #putStringWithoutLengthAscii(int, CharSequence)}.
     */
    @Override
    public int putStringWithoutLengthAscii(
        final int index, final CharSequence value, final int valueOffset, final int length)
    {
        final int valueLength = null == value ? 0 : value.length();
        if (null != value && (valueOffset < 0 || valueOffset > valueLength || length < 0))
        {
            // as Agrona refuses them (with its checks on): not an empty write
            throw new IndexOutOfBoundsException("record view write of a CharSequence: valueOffset=" + valueOffset +
                " length=" + length + " value length=" + valueLength);
        }
        final int written = null == value ? 0 : Math.min(length, valueLength - valueOffset);
        checkWrite(index, written);
        putAscii(index, value, valueOffset, written);
        return written;
    }

    private void putAscii(final int index, final CharSequence value, final int valueOffset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(valueOffset + i);
            super.putByte(index + i, c > 127 ? (byte)'?' : (byte)c);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void setMemory(final int index, final int length, final byte value)
    {
        checkWrite(index, length);
        super.setMemory(index, length, value);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int putStringWithoutLengthUtf8(final int index, final String value)
    {
        // encode here rather than in super, whose capacity check obeys agrona.disable.bounds.checks
        final byte[] bytes = null == value ? EMPTY : value.getBytes(StandardCharsets.UTF_8);
        putBytes(index, bytes, 0, bytes.length);
        return bytes.length;
    }

    private static int checkedSubLength(final CharSequence value, final int valueOffset, final int length)
    {
        final int valueLength = null == value ? 0 : value.length();
        return Math.max(0, Math.min(length, valueLength - valueOffset));
    }

    private void checkRead(final int index, final int length)
    {
        if (isOutside(index, length))
        {
            throw outOfBounds("read", index, length);
        }
    }

    /**
     * Check the caller's side of a bulk copy, which Agrona checks only while its bounds checks are on: a length
     * decoded from shared memory must not copy past the caller's array or buffer either, whatever
     * {@code agrona.disable.bounds.checks} says.
     */
    private static void checkOther(final int index, final int length, final int capacity, final String name)
    {
        if (isOutside(index, length, capacity))
        {
            throw new IndexOutOfBoundsException(name + " out of bounds: index=" + index + " length=" + length +
                " capacity=" + capacity);
        }
    }

    private void checkWrite(final int index, final int length)
    {
        if (isOutside(index, length))
        {
            throw outOfBounds("write", index, length);
        }
    }

    /**
     * The same test as {@code Objects.checkFromIndexSize(index, length, capacity)}, written the same way, which is
     * what Agrona's own bounds check does when it is on: C2 then finds Agrona's test identical to this one, which
     * dominates it, and drops it, so an access pays for one test, not two. Correctness does not depend on that.
     */
    private boolean isOutside(final int index, final int length)
    {
        return isOutside(index, length, capacity());
    }

    private static boolean isOutside(final int index, final int length, final int capacity)
    {
        return (capacity | index | length) < 0 || length > capacity - index;
    }

    private IndexOutOfBoundsException outOfBounds(final String access, final int index, final int length)
    {
        // an address view is detached exactly when its capacity is 0: every claim holds at least the SBE header
        if (detached || (addressOnly && 0 == capacity()))
        {
            return new IndexOutOfBoundsException("record view " + access + " after its claim was committed or " +
                "aborted: index=" + index + " length=" + length + "; an encoder writes only between " +
                "SbePublisher.tryClaim and commit or abort");
        }
        return new IndexOutOfBoundsException(
            "record view " + access + " out of bounds: index=" + index + " length=" + length + " capacity=" +
            capacity());
    }
}
