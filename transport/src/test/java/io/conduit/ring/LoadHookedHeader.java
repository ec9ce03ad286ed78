package io.conduit.ring;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.conduit.file.ChannelFileDescriptor.FILE_HEADER_LENGTH;

/**
 * A channel file header in direct memory whose 64-bit volatile loads pass through {@link #onLoad}: where a test makes
 * another process's change land between two of the ring's reads, or has a field read scribbled.
 */
class LoadHookedHeader extends UnsafeBuffer
{
    LoadHookedHeader()
    {
        super(ByteBuffer.allocateDirect(FILE_HEADER_LENGTH));
    }

    /**
     * A view of a mapped channel file's header: a ring object built on it is a producer of that file, as another
     * process's would be, with its loads hooked.
     *
     * @param header the file's header buffer.
     */
    LoadHookedHeader(final AtomicBuffer header)
    {
        super(header.addressOffset(), header.capacity());
    }

    @Override
    public long getLongVolatile(final int index)
    {
        return onLoad(index, super.getLongVolatile(index));
    }

    /**
     * @param index the field loaded.
     * @param value what memory holds.
     * @return what the ring is to see.
     */
    long onLoad(final int index, final long value)
    {
        return value;
    }
}
