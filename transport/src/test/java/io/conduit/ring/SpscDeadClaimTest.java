package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.conduit.file.ChannelFileDescriptor.PRODUCER_PID_OFFSET;
import static io.conduit.ring.MpscDeadClaimTest.DEAD_PID;
import static io.conduit.ring.MpscDeadClaimTest.PROMPT_POLLS;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An SPSC producer killed between {@code tryClaim} and {@code commit}, the usual way one dies, leaves its latest claim
 * with no mark: header 0, tail past it. Both ways of reading skip it promptly once the producer pid is dead, and
 * deliver everything committed before it, in order.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpscDeadClaimTest
{
    static final int BODY_LENGTH = 24;
    static final int MESSAGES = 5;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "controlledRead={0} pid reused={1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void shouldSkipTheUnmarkedClaimOfADeadProducerPromptly(final boolean controlled, final boolean reused)
        throws Exception
    {
        // reused: the header names a pid that a live process has now, with the dead producer's start stamp
        final long deadWord = reused ? ProcessIdentityTest.reusedPid() : DEAD_PID;
        try (ChannelFile file = ChannelFile.create(dir, "dead", ChannelOptions.defaults()
            .kind(RingKind.SPSC).capacity(64 * 1024).stuckClaimTimeoutNs(TimeUnit.SECONDS.toNanos(60))))
        {
            final SpscRing ring = (SpscRing)file.ring();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[BODY_LENGTH]);
            for (int i = 0; i < MESSAGES; i++)
            {
                body.putInt(0, i);
                assertTrue(ring.offer(1, body, 0, BODY_LENGTH));
            }
            assertTrue(ring.tryClaim(1, BODY_LENGTH) > 0);
            file.headerBuffer().putLongVolatile(PRODUCER_PID_OFFSET, deadWord); // the producer dies, claim open

            final List<Integer> delivered = new ArrayList<>();
            final ControlledMessageHandler handler = (typeId, buffer, offset, length) ->
            {
                delivered.add(buffer.getInt(offset));
                return ControlledMessageHandler.Action.CONTINUE;
            };
            int polls = 0;
            while (ring.headPosition() != ring.tailPosition() && polls < PROMPT_POLLS)
            {
                if (controlled)
                {
                    ring.controlledRead(handler, 100);
                }
                else
                {
                    ring.read((typeId, buffer, offset, length) -> handler.onMessage(typeId, buffer, offset, length),
                        100);
                }
                polls++;
            }

            assertEquals(List.of(0, 1, 2, 3, 4), delivered);
            assertEquals(ring.tailPosition(), ring.headPosition(), "the head is not past the claim after " + polls +
                " polls");
            assertEquals(1, ring.recordsSkipped());
        }
    }
}
