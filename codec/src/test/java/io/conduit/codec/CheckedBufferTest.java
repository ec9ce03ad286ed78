package io.conduit.codec;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The view checks every accessor SBE codecs use, itself.
 */
class CheckedBufferTest
{
    private static final Pattern CHECKED_NAMES =
        Pattern.compile("(get|put)(Byte|Short|Char|Int|Long|Float|Double|Bytes|StringWithoutLength(Ascii|Utf8))|" +
            "setMemory");

    private final UnsafeBuffer backing = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final CheckedBuffer view = new CheckedBuffer();

    @Test
    void shouldOverrideEveryAccessorSbeCodecsUse()
    {
        final List<String> missing = new ArrayList<>();
        for (final Method method : UnsafeBuffer.class.getMethods())
        {
            if (CHECKED_NAMES.matcher(method.getName()).matches() && !Modifier.isStatic(method.getModifiers()))
            {
                try
                {
                    CheckedBuffer.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
                }
                catch (final NoSuchMethodException ex)
                {
                    missing.add(method.toString());
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void shouldRefuseEveryAccessJustOutsideTheView() throws IllegalAccessException
    {
        view.wrap(backing, 16, 8);
        int checked = 0;
        for (final Method method : CheckedBuffer.class.getDeclaredMethods())
        {
            if (CHECKED_NAMES.matcher(method.getName()).matches())
            {
                assertRefused(method, 8);
                assertRefused(method, -1);
                checked++;
            }
        }
        assertTrue(checked > 40, "checked=" + checked);
    }

    @Test
    void shouldRefuseAnAccessWhoseEndOverflowsOrWhoseLengthIsNegative()
    {
        view.wrap(backing, 16, 8);
        assertThrows(IndexOutOfBoundsException.class, () -> view.getLong(Integer.MAX_VALUE - 2));
        assertThrows(IndexOutOfBoundsException.class, () -> view.putLong(Integer.MAX_VALUE - 2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.getInt(Integer.MIN_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> view.getBytes(4, new byte[8], 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.putBytes(4, new byte[8], 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.putLong(1, 1));
        view.putLong(0, 1);
    }

    /**
     * A bulk copy whose length fits the view but not the caller's array or buffer is refused before a byte moves,
     * also with Agrona's bounds checks off (this class runs a second time so): without the check, a var-data length
     * from shared memory copied past the caller's array, over the Java heap.
     */
    @Test
    void shouldRefuseABulkCopyPastTheCallersArrayOrBuffer()
    {
        view.wrap(backing, 0, 64);
        final byte[] small = new byte[8];
        final UnsafeBuffer smallBuffer = new UnsafeBuffer(new byte[8]);
        final ByteBuffer smallByteBuffer = ByteBuffer.allocateDirect(8);
        final List<Executable> copies = List.of(
            () -> view.getBytes(0, small, 0, 16),
            () -> view.getBytes(0, small, 4, 8),
            () -> view.getBytes(0, smallBuffer, 0, 16),
            () -> view.getBytes(0, smallByteBuffer, 16),
            () -> view.getBytes(0, smallByteBuffer, 4, 8),
            () -> view.putBytes(0, small, 0, 16),
            () -> view.putBytes(0, small, -1, 4),
            () -> view.putBytes(0, smallByteBuffer, 16),
            () -> view.putBytes(0, smallByteBuffer, 4, 8),
            () -> view.putBytes(0, smallBuffer, 0, 16));
        for (int i = 0; i < copies.size(); i++)
        {
            backing.setMemory(0, 64, (byte)0x5A);
            final IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class, copies.get(i),
                "copy " + i);
            assertTrue(ex.getMessage().contains("out of bounds"), "copy " + i + ": " + ex.getMessage());
            for (int b = 0; b < 64; b++)
            {
                assertEquals((byte)0x5A, backing.getByte(b), "copy " + i + " wrote the view at " + b);
            }
        }
        for (int b = 0; b < 8; b++)
        {
            assertEquals(0, small[b], "nothing copied into the array");
            assertEquals(0, smallBuffer.getByte(b), "nothing copied into the buffer");
            assertEquals(0, smallByteBuffer.get(b), "nothing copied into the byte buffer");
        }

        view.getBytes(0, small, 0, 8); // exactly the caller's size: allowed
        assertEquals((byte)0x5A, small[7]);

        // an expandable buffer grows to take the bytes, as Agrona's own copy lets it
        final ExpandableArrayBuffer expandable = new ExpandableArrayBuffer(8);
        view.getBytes(0, expandable, 0, 32);
        assertEquals((byte)0x5A, expandable.getByte(31));

        // relative copies stop at the limit, not the capacity
        final ByteBuffer limited = ByteBuffer.allocateDirect(16).limit(4);
        assertThrows(IndexOutOfBoundsException.class, () -> view.getBytes(0, limited, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> view.putBytes(0, limited, 8));
        assertEquals(0, limited.position());
    }

    @Test
    void shouldAllowAccessInsideTheView()
    {
        view.wrap(backing, 16, 8);
        view.putLong(0, 0x0102030405060708L, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x0102030405060708L, backing.getLong(16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x0304, view.getShort(4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        assertEquals(0x08, view.getByte(0));
        assertEquals(8, view.putStringWithoutLengthAscii(0, "abcdefgh"));
        assertEquals("abcdefgh", view.getStringWithoutLengthAscii(0, 8));
    }

    /**
     * An ASCII write of a CharSequence reads its length once: one that grows between Agrona's two reads of it wrote 40
     * bytes into a 16-byte view with Agrona's checks off. A character above 127 is written as '?', as Agrona does.
     */
    @Test
    void shouldWriteACharSequenceAsLongAsTheLengthItChecked()
    {
        view.wrap(backing, 16, 16);
        backing.setMemory(0, 64, (byte)'#');
        final int[] calls = {0};
        final CharSequence growing = new CharSequence()
        {
            @Override
            public int length()
            {
                return 0 == calls[0]++ ? 4 : 40;
            }

            @Override
            public char charAt(final int index)
            {
                return 1 == index ? '\u00e9' : (char)('a' + index);
            }

            @Override
            public CharSequence subSequence(final int start, final int end)
            {
                throw new UnsupportedOperationException();
            }

            @Override
            public String toString()
            {
                return "growing";
            }
        };
        assertEquals(4, view.putStringWithoutLengthAscii(0, growing));
        assertEquals("a?cd", backing.getStringWithoutLengthAscii(16, 4));
        assertEquals('#', backing.getByte(20), "nothing past the length checked");
        calls[0] = 0;
        assertEquals(3, view.putStringWithoutLengthAscii(4, growing, 1, 3));
        assertEquals("?cd", backing.getStringWithoutLengthAscii(20, 3));
        assertEquals('#', backing.getByte(32), "nothing outside the view");
        // arguments Agrona refuses are refused, not taken for an empty write
        final CharSequence ab = new StringBuilder("ab");
        assertThrows(IndexOutOfBoundsException.class, () -> view.putStringWithoutLengthAscii(0, ab, 3, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.putStringWithoutLengthAscii(0, ab, 0, -1));
    }

    @Test
    void shouldViewTheSameBytesThroughARegionWrapOfAnOffHeapOrHeapBuffer()
    {
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[64]);
        for (final UnsafeBuffer buffer : List.of(backing, heap))
        {
            view.wrapRegion(buffer, 16, 8);
            view.putLong(0, 0x0102030405060708L, ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x0102030405060708L, buffer.getLong(16, ByteOrder.LITTLE_ENDIAN));
            assertEquals(8, view.capacity());
            assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(8));
            assertThrows(IndexOutOfBoundsException.class, () -> view.putByte(-1, (byte)1));
        }
    }

    /**
     * The publisher's view over a mapped ring: made an address view once, then moved from claim to claim and detached
     * by its address and capacity alone. It sees exactly the region it was moved to, and nothing once detached,
     * saying why.
     */
    @Test
    void shouldSeeExactlyTheRegionItWasMovedToAndNothingOnceDetached()
    {
        final CheckedBuffer plain = new CheckedBuffer();
        plain.wrap(new byte[8]); // a view not made by wrapAddress wraps as any UnsafeBuffer
        assertEquals(8, plain.capacity());

        view.wrapAddress(backing.addressOffset());
        assertEquals(0, view.capacity());
        assertTrue(assertThrows(IllegalStateException.class, () -> view.wrap(new byte[8])).getMessage()
            .contains("cannot be re-wrapped"));
        assertTrue(assertThrows(IndexOutOfBoundsException.class, () -> view.putByte(0, (byte)1)).getMessage()
            .contains("after its claim was committed or aborted"));

        for (final int offset : new int[] {8, 40})
        {
            view.moveRegion(backing.addressOffset() + offset, 16);
            assertEquals(16, view.capacity());
            assertNull(view.byteArray());
            view.putLong(8, 0x1122334455667788L, ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x1122334455667788L, backing.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN));
            // attached, an access outside the region is out of bounds, not one after the claim ended
            final IndexOutOfBoundsException past =
                assertThrows(IndexOutOfBoundsException.class, () -> view.putLong(9, 1L), "past the region");
            assertTrue(past.getMessage().contains("out of bounds: index=9 length=8 capacity=16"), past.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(-1), "before the region");

            view.detachRegion();
            assertEquals(0, view.capacity());
            final IndexOutOfBoundsException detached =
                assertThrows(IndexOutOfBoundsException.class, () -> view.putLong(8, 2L));
            assertTrue(detached.getMessage().contains("after its claim was committed or aborted"),
                detached.getMessage());
            assertEquals(0x1122334455667788L, backing.getLong(offset + 8, ByteOrder.LITTLE_ENDIAN), "not written");
        }
    }

    @Test
    void shouldRefuseARegionWrapOutsideTheBuffer()
    {
        assertThrows(IndexOutOfBoundsException.class, () -> view.wrapRegion(backing, 60, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> view.wrapRegion(backing, -8, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> view.wrapRegion(backing, 8, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.wrapRegion(backing, 8, Integer.MAX_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> view.wrapRegion(new UnsafeBuffer(new byte[64]), 60, 8));
    }

    private void assertRefused(final Method method, final int index) throws IllegalAccessException
    {
        final Class<?>[] types = method.getParameterTypes();
        final Object[] args = new Object[types.length];
        args[0] = index;
        for (int i = 1; i < types.length; i++)
        {
            args[i] = argument(types[i]);
        }
        try
        {
            method.invoke(view, args);
        }
        catch (final InvocationTargetException ex)
        {
            assertInstanceOf(IndexOutOfBoundsException.class, ex.getCause(), method.toString());
            assertTrue(ex.getCause().getMessage().startsWith("record view "), ex.getCause().getMessage());
            return;
        }
        throw new AssertionError("not refused: " + method + " index=" + index);
    }

    private static Object argument(final Class<?> type)
    {
        if (int.class == type)
        {
            // a value, a length or an offset into the source: 2 keeps every source access in range
            return 2;
        }
        if (byte[].class == type)
        {
            return new byte[4];
        }
        if (ByteOrder.class == type)
        {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (MutableDirectBuffer.class == type || DirectBuffer.class == type)
        {
            return new UnsafeBuffer(new byte[16]);
        }
        if (ByteBuffer.class == type)
        {
            return ByteBuffer.allocate(16);
        }
        if (String.class == type || CharSequence.class == type)
        {
            return "abcd";
        }
        if (Appendable.class == type)
        {
            return new StringBuilder();
        }
        if (byte.class == type)
        {
            return (byte)1;
        }
        if (short.class == type)
        {
            return (short)1;
        }
        if (char.class == type)
        {
            return 'a';
        }
        if (long.class == type)
        {
            return 1L;
        }
        if (float.class == type)
        {
            return 1.0f;
        }
        if (double.class == type)
        {
            return 1.0;
        }
        throw new IllegalArgumentException("no argument for " + type);
    }
}
