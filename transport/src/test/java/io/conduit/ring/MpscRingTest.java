package io.conduit.ring;

/**
 * The ring contract for {@link MpscRing}.
 */
class MpscRingTest extends RingContractTest
{
    @Override
    RingKind kind()
    {
        return RingKind.MPSC;
    }
}
