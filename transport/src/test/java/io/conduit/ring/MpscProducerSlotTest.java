package io.conduit.ring;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.conduit.file.ChannelFileDescriptor.SLOT_PID_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.producerSlotOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Producer slots belong to ring objects, not processes: two objects of one process never share a slot, so closing
 * one never frees a slot the other still records its claims in, and the messages-sent count stays exact as slots
 * are released and taken again.
 */
class MpscProducerSlotTest
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveEachRingObjectASlotOfItsOwnAndFreeOnlyThatSlotOnClose() throws Exception
    {
        final long pid = ProcessIdentity.current();
        try (ChannelFile consumerFile = ChannelFile.create(dir, "slots", ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(64 * 1024)))
        {
            final MpscRing consumer = (MpscRing)consumerFile.ring();
            final AtomicBuffer header = consumerFile.headerBuffer();
            final ChannelFile first = ChannelFile.open(dir, "slots");
            final ChannelFile second = ChannelFile.open(dir, "slots");
            try
            {
                send(first.ring(), 2);
                send(second.ring(), 3);
                assertEquals(pid, slotPid(header, 0), "the first object's slot");
                assertEquals(pid, slotPid(header, 1), "the second object's slot, not the first's");
                assertEquals(0, slotPid(header, 2));

                first.close();
                assertEquals(0, slotPid(header, 0), "closing the first frees its slot");
                assertEquals(pid, slotPid(header, 1), "and only its slot");
                send(second.ring(), 1);

                try (ChannelFile third = ChannelFile.open(dir, "slots"))
                {
                    send(third.ring(), 4);
                    assertEquals(pid, slotPid(header, 0), "a new object takes the freed slot");
                    assertEquals(10, consumer.messagesSent(), "counts of a retaken slot are kept");
                }
            }
            finally
            {
                first.close();
                second.close();
            }
            final int[] read = {0};
            while (consumer.read((t, b, o, l) -> read[0]++, 100) > 0)
            {
                assertTrue(read[0] <= 10);
            }
            assertEquals(10, read[0]);
            assertEquals(10, consumer.messagesSent());
        }
    }

    private static long slotPid(final AtomicBuffer header, final int slot)
    {
        return header.getLongVolatile(producerSlotOffset(slot) + SLOT_PID_OFFSET);
    }

    private static void send(final Ring ring, final int count)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
        for (int i = 0; i < count; i++)
        {
            message.putLong(0, i);
            assertTrue(ring.offer(1, message, 0, message.capacity()));
        }
    }
}
