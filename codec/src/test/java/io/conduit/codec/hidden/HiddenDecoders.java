package io.conduit.codec.hidden;

import org.agrona.DirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;

/**
 * Decoders whose classes the dispatcher, in another package, cannot see into: for
 * {@code DecoderLayoutRefusalTest}, which shows that {@code SbeDispatcher.register} refuses them.
 */
public final class HiddenDecoders
{
    private HiddenDecoders()
    {
    }

    /**
     * @return a decoder of an 8-byte block with one field, whose class is not public: its static methods, public as
     * generated ones are, cannot be called from another package.
     */
    public static MessageDecoderFlyweight packagePrivateDecoder()
    {
        return new PackagePrivateDecoder();
    }

    /**
     * A hand-written fixed-block decoder of an 8-byte block holding a 4-byte field {@code wide}.
     */
    static final class PackagePrivateDecoder implements MessageDecoderFlyweight
    {
        private static final int BLOCK_LENGTH = 8;

        private DirectBuffer buffer;
        private int offset;
        private int limit;

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
            return 78;
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
}
