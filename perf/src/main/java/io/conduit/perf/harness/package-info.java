/**
 * The cross-process harness: ping-pong round trips and one-way throughput between two pinned JVMs, Conduit's rings
 * side by side with Agrona's rings, Aeron IPC, Chronicle Queue, kernel IPC and the shared cache-line floor, all in one
 * interleaved run. Entry point: {@link io.conduit.perf.harness.Harness}.
 */
package io.conduit.perf.harness;
