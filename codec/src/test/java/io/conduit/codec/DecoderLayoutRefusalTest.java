package io.conduit.codec;

import org.agrona.DirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SbeDispatcher#register} refuses a decoder whose layout it cannot derive, with an
 * {@link IllegalArgumentException} that names it, rather than registering a layout that would refuse or misread
 * every message later: a decoder whose walk throws, and one whose furthest field ends past its declared block.
 */
class DecoderLayoutRefusalTest
{
    @Test
    void shouldRefuseADecoderWhoseWalkThrows()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SbeDispatcher(UnknownMessagePolicy.THROW).register(new ThrowingWalkDecoder(), (decoder) -> { }));
        assertTrue(ex.getMessage().contains(ThrowingWalkDecoder.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains("sbeDecodedLength"), ex.getMessage());
    }

    @Test
    void shouldRefuseADecoderWhoseFieldEndsPastItsBlock()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new SbeDispatcher(UnknownMessagePolicy.THROW).register(new OverlongFieldDecoder(), (decoder) -> { }));
        assertTrue(ex.getMessage().contains("field wide ends at 12, past the declared block length 8"),
            ex.getMessage());
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
}
