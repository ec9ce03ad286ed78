package io.conduit.codec;

import io.conduit.codec.hidden.HiddenDecoders;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/CODEC.md ("A decoder whose reads do not fit that pattern, or whose walk throws over the probe, is refused by
 * {@code register} with an {@code IllegalArgumentException}") and {@link DecoderLayout}'s constructor ("if its group
 * headers or var-data lengths are not read as generated SBE decoders read them"): {@link SbeDispatcher#register}
 * refuses a decoder whose layout it cannot derive, with an {@link IllegalArgumentException} that names the decoder and
 * what was wrong, rather than registering a layout that would refuse or misread every message later. One hand-written
 * decoder per refusal: a walk that throws; a read the layout cannot place; a walk whose decoded length is not what its
 * headers come to; a group header that is not two reads in wrap; a length or count of a width the walk does not read,
 * or outside its header; a generated static method missing, or one that throws or cannot be called; a field, of the
 * message or of a group entry, that ends past its declared block.
 */
class DecoderLayoutRefusalTest
{
    /**
     * docs/CODEC.md: a decoder whose walk throws over the probe is refused, naming it and its walk.
     */
    @Test
    void shouldRefuseADecoderWhoseWalkThrows()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SbeDispatcher(UnknownMessagePolicy.THROW).register(new ThrowingWalkDecoder(), (decoder) -> { }));
        assertTrue(ex.getMessage().contains(ThrowingWalkDecoder.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains("sbeDecodedLength"), ex.getMessage());
    }

    /**
     * docs/CODEC.md: a decoder that cannot even be wrapped over the probe is refused as one whose walk throws, with an
     * {@link IllegalArgumentException} naming it, its wrap and what the wrap threw, rather than with the wrap's own
     * exception.
     */
    @Test
    void shouldRefuseADecoderWhoseWrapThrows()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SbeDispatcher(UnknownMessagePolicy.THROW).register(new ThrowingWrapDecoder(), (decoder) -> { }));
        assertTrue(ex.getMessage().contains(ThrowingWrapDecoder.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains("its wrap fails"), ex.getMessage());
        assertTrue(ex.getMessage().contains("this wrap always fails"), ex.getMessage());
    }

    /**
     * docs/CODEC.md ("a furthest field that ends past the block the schema declares makes {@code register} refuse the
     * decoder"): a field of the message block that ends past it is refused, naming the field and both lengths.
     */
    @Test
    void shouldRefuseADecoderWhoseFieldEndsPastItsBlock()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SbeDispatcher(UnknownMessagePolicy.THROW).register(new OverlongFieldDecoder(), (decoder) -> { }));
        assertTrue(ex.getMessage().contains("field wide ends at 12, past the declared block length 8"),
            ex.getMessage());
    }

    /**
     * docs/CODEC.md: a read the layout cannot place is refused, naming the read and the method: a walk that reads a
     * flag in the block to decide whether a var-data field follows (over the probe's 0 it reads no more, so its
     * decoded length agrees with its headers, and only this refusal stands between it and a layout without the
     * field), a var-data length read by a method not named skipXxx, and a group header read by a group decoder that
     * is not Iterable.
     */
    @Test
    void shouldRefuseAReadItCannotPlace()
    {
        assertRefused(new OptionalNoteDecoder(), layoutOf(OptionalNoteDecoder.class),
            "read 1 of the 1 its walk made, the 1-byte read at 8 by " + OptionalNoteDecoder.class.getName() +
            ".hasNote, is neither a group header");
        assertRefused(new UnexpectedReadDecoder(), layoutOf(UnexpectedReadDecoder.class),
            "read 1 of the 1 its walk made, the 2-byte read at 16 by " + UnexpectedReadDecoder.class.getName() +
            ".noteLength, is neither a group header", "nor a var-data length, read in a skipXxx method");
        assertRefused(new NotIterableGroupDecoder(), layoutOf(NotIterableGroupDecoder.class),
            "read 1 of the 2 its walk made, the 2-byte read at 16 by " +
            NotIterableGroupDecoder.LegsDecoder.class.getName() + ".wrap, is neither a group header, read in the " +
            "wrap of an Iterable group decoder");
    }

    /**
     * docs/CODEC.md: a walk whose decoded length is not the block and the headers its reads found, here because the
     * var-data header length its class declares is not the length its skip skips, is refused, naming both lengths.
     */
    @Test
    void shouldRefuseAWalkWhoseLengthIsNotWhatItsHeadersComeTo()
    {
        assertRefused(new MisstatedHeaderLengthDecoder(), layoutOf(MisstatedHeaderLengthDecoder.class),
            "its walk (sbeDecodedLength) decodes 10 bytes, but its 8-byte block and the group and var-data headers " +
            "it read come to 12", "xxxHeaderLength");
    }

    /**
     * docs/CODEC.md: a group count the decoder reads as a signed 8- or 16-bit number (a numInGroup of a signed type,
     * which SbeTool only warns about) is refused, naming the group, its width and the fix. The walk reads counts as
     * unsigned: 0x8000 would be walked as 32,768 entries while such a decoder reads none and takes the first entry's
     * bytes for the var-data length after the group, which nothing checked. The same decoder reading its count as
     * unsigned is accepted, and its records dispatch.
     */
    @Test
    void shouldRefuseAGroupCountReadAsSigned()
    {
        for (final int width : new int[] {Byte.BYTES, Short.BYTES})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
                new SbeDispatcher(UnknownMessagePolicy.THROW).register(new CountDecoder(width, false), (d) -> { }));
            assertTrue(ex.getMessage().startsWith("group items of " + CountDecoder.class.getName() + ": its " + width +
                "-byte count is read as a signed number"), ex.getMessage());
            assertTrue(ex.getMessage().endsWith("declare numInGroup as uint8 or uint16"), ex.getMessage());
            // read as unsigned, the same layout is accepted
            new SbeDispatcher(UnknownMessagePolicy.THROW).register(new CountDecoder(width, true), (d) -> { });
        }

        final List<String> seen = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new CountDecoder(Short.BYTES, true), (d) ->
            {
                final int length = d.sbeDecodedLength(); // the decoder's own walk, over the dispatched record
                seen.add(d.items.count + " " + d.noteLength + " " + length);
            });
        final UnsafeBuffer record = new UnsafeBuffer(new byte[64]);
        MessageHeaderDescriptor.write(record, 0, HandWrittenDecoder.BLOCK_LENGTH, 77, 903, 0);
        final int group = MessageHeaderDescriptor.HEADER_LENGTH + HandWrittenDecoder.BLOCK_LENGTH;
        record.putShort(group, (short)Long.BYTES, ByteOrder.LITTLE_ENDIAN);
        record.putShort(group + Short.BYTES, (short)2, ByteOrder.LITTLE_ENDIAN);
        final int note = group + WalkingDecoder.GROUP_HEADER_LENGTH + 2 * Long.BYTES;
        record.putInt(note, 3, ByteOrder.LITTLE_ENDIAN);
        dispatcher.onMessage(77, record, 0, note + Integer.BYTES + 3);
        assertEquals(List.of("2 3 " + (note + Integer.BYTES + 3 - MessageHeaderDescriptor.HEADER_LENGTH)), seen);
    }

    /**
     * docs/CODEC.md: a group header read with one read in wrap (the count alone, the block length taken as fixed) is
     * refused, naming the group, its decoder class and the reads.
     */
    @Test
    void shouldRefuseAGroupHeaderThatIsNotTwoReadsInWrap()
    {
        final String legs = OneReadGroupDecoder.LegsDecoder.class.getName();
        assertRefused(new OneReadGroupDecoder(), layoutOf(OneReadGroupDecoder.class),
            "group legs: its header is not two reads in the wrap of " + legs + ", the block length then the count: " +
            "the 2-byte read at 18 by " + legs + ".wrap is followed by no read");
    }

    /**
     * docs/CODEC.md: a group count and a var-data length read as 8 bytes, which the walk does not read, are refused,
     * naming the field, the width and the method.
     */
    @Test
    void shouldRefuseALengthOrCountOfAWidthTheWalkDoesNotRead()
    {
        assertRefused(new WideCountGroupDecoder(), layoutOf(WideCountGroupDecoder.class),
            "group legs count: the 8-byte read at 18 by " + WideCountGroupDecoder.LegsDecoder.class.getName() +
            ".wrap is at offset 2 of its 10-byte header; a length or count is read as 1, 2 or 4 bytes");
        assertRefused(new WideLengthVarDataDecoder(), layoutOf(WideLengthVarDataDecoder.class),
            "var-data note length: the 8-byte read at 16 by " + WideLengthVarDataDecoder.class.getName() +
            ".skipNote is at offset 0 of its 8-byte header; a length or count is read as 1, 2 or 4 bytes");
    }

    /**
     * docs/CODEC.md: a group count read past the end of its header, and a var-data length read before the start of
     * its own, are refused, naming the field and where the read was.
     */
    @Test
    void shouldRefuseALengthOrCountReadOutsideItsHeader()
    {
        assertRefused(new CountPastHeaderGroupDecoder(), layoutOf(CountPastHeaderGroupDecoder.class),
            "group legs count: the 2-byte read at 20 by " + CountPastHeaderGroupDecoder.LegsDecoder.class.getName() +
            ".wrap is at offset 4 of its 4-byte header");
        assertRefused(new LengthBeforeHeaderVarDataDecoder(), layoutOf(LengthBeforeHeaderVarDataDecoder.class),
            "var-data note length: the 2-byte read at 14 by " + LengthBeforeHeaderVarDataDecoder.class.getName() +
            ".skipNote is at offset -2 of its 2-byte header");
    }

    /**
     * docs/CODEC.md: the same for a field of a group entry, from the group decoder class's static methods.
     */
    @Test
    void shouldRefuseAGroupEntryFieldThatEndsPastItsBlock()
    {
        assertRefused(new OverlongEntryFieldGroupDecoder(), "group legs of " +
            OverlongEntryFieldGroupDecoder.LegsDecoder.class.getName() +
            ": field wide ends at 8, past the declared block length 4");
    }

    /**
     * docs/CODEC.md: the block each version reads is found from the generated static {@code xxxEncodingLength()},
     * {@code sbeHeaderSize()} and {@code sbeBlockLength()} of the decoder and group decoder classes; a decoder
     * missing one is refused, naming the class and the method.
     */
    @Test
    void shouldRefuseADecoderMissingAGeneratedStaticMethod()
    {
        assertRefused(new NoEncodingLengthDecoder(),
            "generated decoder method missing: " + NoEncodingLengthDecoder.class.getName() + ".wideEncodingLength()");
        assertRefused(new NoHeaderSizeGroupDecoder(), "generated decoder method missing: " +
            NoHeaderSizeGroupDecoder.LegsDecoder.class.getName() + ".sbeHeaderSize()");
        assertRefused(new NoBlockLengthGroupDecoder(), "generated decoder method missing: " +
            NoBlockLengthGroupDecoder.LegsDecoder.class.getName() + ".sbeBlockLength()");
    }

    /**
     * docs/CODEC.md: a generated static method that throws when called is refused, naming the class, the method and
     * what it threw.
     */
    @Test
    void shouldRefuseAStaticMethodThatThrows()
    {
        assertRefused(new ThrowingSinceVersionDecoder(), "cannot call " + ThrowingSinceVersionDecoder.class.getName() +
            ".wideSinceVersion(): it threw java.lang.IllegalStateException: no version");
    }

    /**
     * docs/CODEC.md ("A constant field ({@code presence="constant"}) takes no bytes, though its encoding length is its
     * type's size, so it is left out"): a field whose presence cannot be read is refused, naming the class, the field
     * and what its {@code xxxMetaAttribute(PRESENCE)} threw.
     */
    @Test
    void shouldRefuseAFieldWhosePresenceCannotBeRead()
    {
        assertRefused(new ThrowingPresenceDecoder(), "field wide of " + ThrowingPresenceDecoder.class.getName() +
            ": its presence cannot be read: wideMetaAttribute(PRESENCE): it threw " +
            "java.lang.IllegalStateException: no presence");
    }

    /**
     * docs/CODEC.md: a decoder class that is not public, in a package of its own, has static methods the dispatcher
     * cannot call; it is refused, naming the class, the method, and that the class must be public.
     */
    @Test
    void shouldRefuseADecoderClassWhoseStaticMethodsItCannotCall()
    {
        final MessageDecoderFlyweight decoder = HiddenDecoders.packagePrivateDecoder();
        assertRefused(decoder, "cannot call " + decoder.getClass().getName() + ".wideSinceVersion(): it is not " +
            "accessible to the dispatcher (a decoder class must be public, as generated ones are)");
    }

    private static String layoutOf(final Class<?> type)
    {
        return "cannot derive the group and var-data layout of " + type.getName() + " at version 0: ";
    }

    private static void assertRefused(final MessageDecoderFlyweight decoder, final String... parts)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SbeDispatcher(UnknownMessagePolicy.THROW).register(decoder, (message) -> { }));
        for (final String part : parts)
        {
            assertTrue(ex.getMessage().contains(part), "'" + part + "' missing from: " + ex.getMessage());
        }
    }

    /**
     * A hand-written fixed-block decoder of an 8-byte block and no groups: the generated shape, minus what the
     * subclasses change.
     */
    abstract static class HandWrittenDecoder implements MessageDecoderFlyweight
    {
        static final int BLOCK_LENGTH = 8;

        private DirectBuffer buffer;
        private int offset;
        private int limit;

        @Override
        public MessageDecoderFlyweight wrap(
            final DirectBuffer buffer, final int offset, final int actingBlockLength, final int actingVersion)
        {
            this.buffer = buffer;
            this.offset = offset;
            this.limit = offset + actingBlockLength;
            return this;
        }

        @Override
        public StringBuilder appendTo(final StringBuilder builder)
        {
            return builder;
        }

        @Override
        public int sbeDecodedLength()
        {
            return BLOCK_LENGTH;
        }

        @Override
        public int sbeBlockLength()
        {
            return BLOCK_LENGTH;
        }

        @Override
        public int sbeTemplateId()
        {
            return 77;
        }

        @Override
        public String sbeSemanticType()
        {
            return "";
        }

        @Override
        public int limit()
        {
            return limit;
        }

        @Override
        public void limit(final int limit)
        {
            this.limit = limit;
        }

        @Override
        public DirectBuffer buffer()
        {
            return buffer;
        }

        @Override
        public int offset()
        {
            return offset;
        }

        @Override
        public int encodedLength()
        {
            return limit - offset;
        }

        @Override
        public int sbeSchemaId()
        {
            return 903;
        }

        @Override
        public int sbeSchemaVersion()
        {
            return 0;
        }
    }

    static final class ThrowingWalkDecoder extends HandWrittenDecoder
    {
        @Override
        public int sbeDecodedLength()
        {
            throw new IllegalStateException("this walk always fails");
        }
    }

    /**
     * A decoder whose wrap always throws.
     */
    static final class ThrowingWrapDecoder extends HandWrittenDecoder
    {
        @Override
        public MessageDecoderFlyweight wrap(
            final DirectBuffer buffer, final int offset, final int actingBlockLength, final int actingVersion)
        {
            throw new IllegalStateException("this wrap always fails");
        }
    }

    /**
     * Says it has a field {@code wide} of 8 bytes at offset 4 of its 8-byte block.
     */
    static final class OverlongFieldDecoder extends HandWrittenDecoder
    {
        public static int wideEncodingOffset()
        {
            return 4;
        }

        public static int wideEncodingLength()
        {
            return Long.BYTES;
        }

        public static int wideSinceVersion()
        {
            return 0;
        }
    }

    /**
     * A hand-written decoder whose walk reads its groups and var-data, as {@link #skipGroupsAndVarData} says, from the
     * end of its block, as a generated {@code sbeDecodedLength} does.
     */
    abstract static class WalkingDecoder extends HandWrittenDecoder
    {
        static final int GROUP_HEADER_LENGTH = 4;

        @Override
        public int sbeDecodedLength()
        {
            final int limit = limit();
            limit(offset() + BLOCK_LENGTH);
            skipGroupsAndVarData();
            final int decodedLength = limit() - offset();
            limit(limit);
            return decodedLength;
        }

        /**
         * Read past the groups and var-data from {@link #limit()}, moving it on.
         */
        abstract void skipGroupsAndVarData();
    }

    /**
     * Reads its var-data length, and skips the field, in a method not named skipXxx.
     */
    static final class UnexpectedReadDecoder extends WalkingDecoder
    {
        public int noteLength()
        {
            return buffer().getShort(limit(), ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        }

        @Override
        void skipGroupsAndVarData()
        {
            limit(limit() + Short.BYTES + noteLength());
        }
    }

    /**
     * Has a note after its block only if the first byte of its block says so.
     */
    static final class OptionalNoteDecoder extends WalkingDecoder
    {
        public boolean hasNote()
        {
            return 0 != buffer().getByte(offset());
        }

        public int skipNote()
        {
            final int limit = limit();
            final int length = buffer().getShort(limit, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            limit(limit + Short.BYTES + length);
            return length;
        }

        @Override
        void skipGroupsAndVarData()
        {
            if (hasNote())
            {
                skipNote();
            }
        }
    }

    /**
     * A group decoder as generated, but not Iterable.
     */
    static final class NotIterableGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + GROUP_HEADER_LENGTH);
        }

        static final class LegsDecoder
        {
            public static int sbeHeaderSize()
            {
                return GROUP_HEADER_LENGTH;
            }

            public static int sbeBlockLength()
            {
                return 0;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN);
                buffer.getShort(limit + 2, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Declares a 4-byte var-data header, but its skip reads and skips a 2-byte length.
     */
    static final class MisstatedHeaderLengthDecoder extends WalkingDecoder
    {
        public static int noteHeaderLength()
        {
            return Integer.BYTES;
        }

        public int skipNote()
        {
            final int limit = limit();
            final int length = buffer().getShort(limit, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            limit(limit + Short.BYTES + length);
            return length;
        }

        @Override
        void skipGroupsAndVarData()
        {
            skipNote();
        }
    }

    /**
     * An Iterable group decoder with nothing in an entry, its header and block lengths and a wrap of its own to be
     * written by the subclass: a group decoder's static methods must be declared in its own class.
     */
    abstract static class EmptyGroupDecoder<G> implements Iterable<G>
    {
        @Override
        public Iterator<G> iterator()
        {
            return Collections.emptyIterator();
        }
    }

    /**
     * Its group's wrap reads the count alone, taking the block length as fixed.
     */
    static final class OneReadGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + GROUP_HEADER_LENGTH);
        }

        static final class LegsDecoder extends EmptyGroupDecoder<LegsDecoder>
        {
            public static int sbeHeaderSize()
            {
                return GROUP_HEADER_LENGTH;
            }

            public static int sbeBlockLength()
            {
                return 0;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit + 2, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Its group's header is a 2-byte block length and an 8-byte count.
     */
    static final class WideCountGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + LegsDecoder.sbeHeaderSize());
        }

        static final class LegsDecoder extends EmptyGroupDecoder<LegsDecoder>
        {
            public static int sbeHeaderSize()
            {
                return Short.BYTES + Long.BYTES;
            }

            public static int sbeBlockLength()
            {
                return 0;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN);
                buffer.getLong(limit + Short.BYTES, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Its var-data length is 8 bytes.
     */
    static final class WideLengthVarDataDecoder extends WalkingDecoder
    {
        public static int noteHeaderLength()
        {
            return Long.BYTES;
        }

        public int skipNote()
        {
            final int limit = limit();
            final int length = (int)buffer().getLong(limit, ByteOrder.LITTLE_ENDIAN);
            limit(limit + Long.BYTES + length);
            return length;
        }

        @Override
        void skipGroupsAndVarData()
        {
            skipNote();
        }
    }

    /**
     * Its group's wrap reads the count from the 2 bytes after its 4-byte header.
     */
    static final class CountPastHeaderGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + GROUP_HEADER_LENGTH);
        }

        static final class LegsDecoder extends EmptyGroupDecoder<LegsDecoder>
        {
            public static int sbeHeaderSize()
            {
                return GROUP_HEADER_LENGTH;
            }

            public static int sbeBlockLength()
            {
                return 0;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN);
                buffer.getShort(limit + GROUP_HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Its skip reads the var-data length from the 2 bytes before the field's header.
     */
    static final class LengthBeforeHeaderVarDataDecoder extends WalkingDecoder
    {
        public int skipNote()
        {
            final int limit = limit();
            final int length = buffer().getShort(limit - Short.BYTES, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            limit(limit + Short.BYTES + length);
            return length;
        }

        @Override
        void skipGroupsAndVarData()
        {
            skipNote();
        }
    }

    /**
     * Its group's entries are 4 bytes, but hold a field of 8.
     */
    static final class OverlongEntryFieldGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + GROUP_HEADER_LENGTH);
        }

        static final class LegsDecoder extends EmptyGroupDecoder<LegsDecoder>
        {
            public static int sbeHeaderSize()
            {
                return GROUP_HEADER_LENGTH;
            }

            public static int sbeBlockLength()
            {
                return Integer.BYTES;
            }

            public static int wideEncodingOffset()
            {
                return 0;
            }

            public static int wideEncodingLength()
            {
                return Long.BYTES;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN);
                buffer.getShort(limit + 2, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Has a field's encoding offset, but not its encoding length.
     */
    static final class NoEncodingLengthDecoder extends HandWrittenDecoder
    {
        public static int wideEncodingOffset()
        {
            return 0;
        }
    }

    /**
     * Its group decoder class has no sbeHeaderSize().
     */
    static final class NoHeaderSizeGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + GROUP_HEADER_LENGTH);
        }

        static final class LegsDecoder extends EmptyGroupDecoder<LegsDecoder>
        {
            public static int sbeBlockLength()
            {
                return 0;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN);
                buffer.getShort(limit + 2, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Its group decoder class has no sbeBlockLength().
     */
    static final class NoBlockLengthGroupDecoder extends WalkingDecoder
    {
        private final LegsDecoder legs = new LegsDecoder();

        @Override
        void skipGroupsAndVarData()
        {
            legs.wrap(buffer(), limit());
            limit(limit() + GROUP_HEADER_LENGTH);
        }

        static final class LegsDecoder extends EmptyGroupDecoder<LegsDecoder>
        {
            public static int sbeHeaderSize()
            {
                return GROUP_HEADER_LENGTH;
            }

            void wrap(final DirectBuffer buffer, final int limit)
            {
                buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN);
                buffer.getShort(limit + 2, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Its field's sinceVersion() throws.
     */
    static final class ThrowingSinceVersionDecoder extends HandWrittenDecoder
    {
        public static int wideEncodingOffset()
        {
            return 0;
        }

        public static int wideEncodingLength()
        {
            return Integer.BYTES;
        }

        public static int wideSinceVersion()
        {
            throw new IllegalStateException("no version");
        }
    }

    /**
     * The meta attributes of a field, as SBE generates them per schema.
     */
    enum MetaAttribute
    {
        EPOCH, TIME_UNIT, SEMANTIC_TYPE, PRESENCE
    }

    /**
     * Its field's metaAttribute(PRESENCE) throws.
     */
    static final class ThrowingPresenceDecoder extends HandWrittenDecoder
    {
        public static int wideEncodingOffset()
        {
            return 0;
        }

        public static int wideEncodingLength()
        {
            return Integer.BYTES;
        }

        public static int wideSinceVersion()
        {
            return 0;
        }

        public static String wideMetaAttribute(final MetaAttribute metaAttribute)
        {
            throw new IllegalStateException("no presence");
        }
    }

    /**
     * A group of 8-byte entries, its count read as the subclass says, then a var-data note with a 4-byte length, walked
     * as a generated decoder walks them.
     */
    abstract static class CountedItemsDecoder extends WalkingDecoder
    {
        int noteLength;

        abstract CountedItems items();

        @Override
        void skipGroupsAndVarData()
        {
            final CountedItems items = items();
            final int at = limit();
            items.wrap(buffer(), at);
            limit(at + items.headerLength());
            for (int i = 0; i < items.count; i++)
            {
                limit(limit() + items.blockLength);
            }
            skipNote();
        }

        /**
         * Read the note's length and move past it: declared by each decoder itself, as the layout takes only a
         * skipXxx of the decoder class being read.
         *
         * @return the note's length.
         */
        public abstract int skipNote();
    }

    /**
     * A group decoder's header as {@link CountedItemsDecoder} reads it: the block length, then the count.
     */
    abstract static class CountedItems extends EmptyGroupDecoder<CountedItems>
    {
        int blockLength;
        int count;

        abstract int headerLength();

        abstract void wrap(DirectBuffer buffer, int limit);
    }

    /**
     * Its group's count is 8 or 16 bits (in a 4-byte header either way), read as SBE generates it: without a mask for
     * a signed numInGroup (int8, int16), with one for an unsigned one (uint8, uint16).
     */
    static final class CountDecoder extends CountedItemsDecoder
    {
        private final ItemsDecoder items;

        CountDecoder(final int countWidth, final boolean unsigned)
        {
            items = new ItemsDecoder(countWidth, unsigned);
        }

        @Override
        CountedItems items()
        {
            return items;
        }

        public static int noteHeaderLength()
        {
            return Integer.BYTES;
        }

        @Override
        public int skipNote()
        {
            final int limit = limit();
            noteLength = buffer().getInt(limit, ByteOrder.LITTLE_ENDIAN);
            limit(limit + Integer.BYTES + noteLength);
            return noteLength;
        }

        static final class ItemsDecoder extends CountedItems
        {
            private final int countWidth;
            private final boolean unsigned;

            ItemsDecoder(final int countWidth, final boolean unsigned)
            {
                this.countWidth = countWidth;
                this.unsigned = unsigned;
            }

            public static int sbeHeaderSize()
            {
                return WalkingDecoder.GROUP_HEADER_LENGTH;
            }

            public static int sbeBlockLength()
            {
                return Long.BYTES;
            }

            @Override
            int headerLength()
            {
                return sbeHeaderSize();
            }

            @Override
            void wrap(final DirectBuffer buffer, final int limit)
            {
                blockLength = buffer.getShort(limit, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
                if (Byte.BYTES == countWidth)
                {
                    final byte count = buffer.getByte(limit + Short.BYTES);
                    this.count = unsigned ? count & 0xFF : count;
                }
                else
                {
                    final short count = buffer.getShort(limit + Short.BYTES, ByteOrder.LITTLE_ENDIAN);
                    this.count = unsigned ? count & 0xFFFF : count;
                }
            }
        }
    }
}
