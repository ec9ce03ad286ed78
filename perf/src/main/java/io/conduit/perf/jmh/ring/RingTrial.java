package io.conduit.perf.jmh.ring;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What both ring benchmarks do around a trial: build the ring named by their {@code ring} parameter in a
 * {@link RingFixture} of {@link RingFixture#capacity()} bytes, and check the trial, then unmap and delete it,
 * afterwards.
 */
public abstract class RingTrial
{
    RingFixture fixture;

    /**
     * @return the ring under test, the benchmark's {@code ring} parameter.
     */
    abstract String ringName();

    /**
     * Build the ring for this trial.
     *
     * @throws Exception if a file cannot be mapped.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        fixture = new RingFixture(ringName(), RingFixture.capacity());
    }

    /**
     * Check the trial ({@link #checkTrial()}), then unmap and delete, whether the check passed or not.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        try
        {
            checkTrial();
        }
        finally
        {
            fixture.close();
        }
    }

    /**
     * What a benchmark checks at the end of its trial, every thread stopped, before the ring goes: nothing by
     * default.
     */
    void checkTrial()
    {
    }
}
