package io.conduit.perf.jmh.ring;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Offer + read throughput of 32-byte messages on one thread: the work each ring does per message, without the
 * cache-line handoffs between two cores that bound {@link RingThroughputBenchmark} (and move with where the host
 * puts the two vCPUs). Same rings and anchors ({@link RingFixture}), same capacity.
 * <ul>
 *     <li>{@code burst}: offer {@link #BURST} messages, then read them all in batches of up to {@link #BURST}: the
 *     pattern of a consumer that keeps up with bursts.</li>
 *     <li>{@code single}: offer one message, read one: the per-message cost with a batch of one.</li>
 * </ul>
 * Both report messages per microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RingCostBenchmark extends RingTrial
{
    static final int BURST = 64;

    /**
     * The system under test. Not Aeron IPC: its publisher's limit is moved by the media driver's thread, so on one
     * thread its offers stall on the driver's duty cycle rather than measure the publication.
     */
    @Param({"conduit-spsc", "agrona-o2o", "conduit-mpsc", "agrona-m2o"})
    public String ring;

    @Override
    String ringName()
    {
        return ring;
    }

    /**
     * Offer a burst, then read it back.
     *
     * @return messages read, {@link #BURST}.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burst()
    {
        return fixture.offerAndReadBack(BURST);
    }

    /**
     * Offer one message, then read it back.
     *
     * @return messages read, 1.
     */
    @Benchmark
    public int single()
    {
        if (!fixture.offer())
        {
            throw new IllegalStateException("offer refused on an empty ring");
        }
        int read = fixture.read(1);
        if (0 == read)
        {
            read = fixture.read(1); // Agrona's rings end a read at the buffer's end: the first may find only padding
        }
        if (1 != read)
        {
            throw new IllegalStateException("read found " + read + " messages, expected the 1 offered");
        }
        return read;
    }
}
