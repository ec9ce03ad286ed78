package io.conduit.ring;

/**
 * The ring contract for {@link SpscRing}.
 */
class SpscRingTest extends RingContractTest
{
    @Override
    RingKind kind()
    {
        return RingKind.SPSC;
    }
}
