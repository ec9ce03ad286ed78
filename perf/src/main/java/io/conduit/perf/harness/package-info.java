/**
 * The cross-process harness: ping-pong round trips and one-way throughput between two pinned JVMs, Conduit's rings
 * side by side with Agrona's rings, Aeron IPC, Chronicle Queue, kernel IPC and the shared cache-line floor, all in one
 * interleaved run; Conduit's blocking channels (futex and hybrid waiting) against a blocking Unix socket, with
 * issue 5's targets judged from the same run; and the CPU an idle receiver burns. Entry point:
 * {@link io.conduit.perf.harness.Harness}.
 */
package io.conduit.perf.harness;
