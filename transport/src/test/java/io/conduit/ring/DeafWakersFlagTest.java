package io.conduit.ring;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.wait.Futex;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static io.conduit.file.ChannelFileDescriptor.DATA_DEAF_WAKERS_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.SPACE_DEAF_WAKERS_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The deaf-wakers flags a process on the park/poll fallback leaves set (FutexCrossProcessWakeTest shows a producer
 * setting the data flag, FutexCrossProcessSpaceWakeTest a consumer the space flag) are cleared by a process on the
 * native path that takes a role held by one process at a time: the consumer's (the space flag) and an SPSC producer's
 * (the data flag). An MPSC producer leaves the data flag set, since other producers may still be on the fallback.
 */
class DeafWakersFlagTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldClearTheFlagOfARoleHeldByOneProcessWhenANativeProcessTakesIt(final RingKind kind) throws Exception
    {
        assumeTrue(Futex.isNative(), "this process is on the fallback: " + Futex.unavailableReason());
        try (ChannelFile file = ChannelFile.create(dir, "deaf", ChannelOptions.defaults().kind(kind).capacity(4096)))
        {
            final AtomicBuffer header = file.headerBuffer();
            header.putIntVolatile(DATA_DEAF_WAKERS_OFFSET, 1); // left by deaf processes since gone
            header.putIntVolatile(SPACE_DEAF_WAKERS_OFFSET, 1);
            final Ring ring = file.ring();

            assertTrue(ring.offer(1, new UnsafeBuffer(new byte[8]), 0, 8));
            assertEquals(RingKind.SPSC == kind ? 0 : 1, header.getIntVolatile(DATA_DEAF_WAKERS_OFFSET),
                "the data flag after a native producer attached");
            assertEquals(1, header.getIntVolatile(SPACE_DEAF_WAKERS_OFFSET), "the space flag before any consumer");

            assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
            assertEquals(0, header.getIntVolatile(SPACE_DEAF_WAKERS_OFFSET), "after a native consumer attached");
        }
    }
}
