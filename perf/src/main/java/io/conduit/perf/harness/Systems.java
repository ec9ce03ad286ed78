package io.conduit.perf.harness;

import io.conduit.Channel;
import io.conduit.ring.RingKind;

import java.util.List;

/**
 * The systems the harness knows, by name, and the endpoint each is measured through.
 */
final class Systems
{
    /** Conduit SPSC ring: the reference every other system is compared with. */
    static final String CONDUIT_SPSC = "conduit-spsc";
    /** Conduit MPSC ring, one producer per direction. */
    static final String CONDUIT_MPSC = "conduit-mpsc";
    /** Conduit {@link Channel} over SPSC, spins=0 and yields=0: every receive sleeps in FUTEX_WAIT. */
    static final String CONDUIT_FUTEX = "conduit-futex";
    /** Conduit {@link Channel} over SPSC with the default spins and yields before a futex sleep. */
    static final String CONDUIT_HYBRID = "conduit-hybrid";
    /** Agrona OneToOneRingBuffer over a mapped file. */
    static final String AGRONA_O2O = "agrona-o2o";
    /** Agrona ManyToOneRingBuffer over a mapped file. */
    static final String AGRONA_M2O = "agrona-m2o";
    /** Aeron IPC with an embedded, non-spinning media driver. */
    static final String AERON_IPC = "aeron-ipc";
    /** Chronicle Queue. */
    static final String CHRONICLE_QUEUE = "chronicle-queue";
    /** Unix domain socket, non-blocking, busy-polled. */
    static final String UDS_SPIN = "uds-spin";
    /** Unix domain socket, blocking. */
    static final String UDS_BLOCK = "uds-block";
    /** TCP on 127.0.0.1, blocking, no Nagle. */
    static final String TCP = "tcp";
    /** Two named pipes, blocking streams. */
    static final String FIFO = "fifo";
    /** A minimal ring protocol, as a reference: a fresh tagged line per message and direction, nothing else. */
    static final String LINE_PAIR = LinePairEndpoint.NAME;

    /** Every ping-pong system, in table order; the floor is implicit. */
    static final List<String> PING_PONG = List.of(CONDUIT_SPSC, CONDUIT_MPSC, CONDUIT_HYBRID, CONDUIT_FUTEX, AGRONA_O2O,
        AGRONA_M2O, AERON_IPC, CHRONICLE_QUEUE, UDS_SPIN, UDS_BLOCK, TCP, FIFO, LINE_PAIR);
    /** The systems with a one-way throughput mode. */
    static final List<String> THROUGHPUT = List.of(CONDUIT_SPSC, CONDUIT_MPSC, AGRONA_O2O, AGRONA_M2O, AERON_IPC);

    private Systems()
    {
    }

    /**
     * @param name a system name, or {@code floor}.
     * @return a fresh endpoint for one side of one repetition.
     * @throws IllegalArgumentException for an unknown name.
     */
    static Endpoint create(final String name)
    {
        switch (name)
        {
            case CONDUIT_SPSC:
                return new ConduitEndpoint(name, RingKind.SPSC);
            case CONDUIT_MPSC:
                return new ConduitEndpoint(name, RingKind.MPSC);
            case CONDUIT_HYBRID:
                return new ChannelEndpoint(name, Channel.DEFAULT_SPINS, Channel.DEFAULT_YIELDS);
            case CONDUIT_FUTEX:
                return new ChannelEndpoint(name, 0, 0);
            case AGRONA_O2O:
                return new AgronaEndpoint(name, false);
            case AGRONA_M2O:
                return new AgronaEndpoint(name, true);
            case AERON_IPC:
                return new AeronEndpoint(name);
            case CHRONICLE_QUEUE:
                return new ChronicleEndpoint(name);
            case UDS_SPIN:
                return new SocketEndpoint(name, SocketEndpoint.Mode.UDS_SPIN);
            case UDS_BLOCK:
                return new SocketEndpoint(name, SocketEndpoint.Mode.UDS_BLOCK);
            case TCP:
                return new SocketEndpoint(name, SocketEndpoint.Mode.TCP);
            case FIFO:
                return new FifoEndpoint(name);
            case LINE_PAIR:
                return new LinePairEndpoint();
            case FloorEndpoint.NAME:
                return new FloorEndpoint();
            default:
                throw new IllegalArgumentException("unknown system=" + name + " expected one of " + PING_PONG +
                    " or " + FloorEndpoint.NAME);
        }
    }
}
