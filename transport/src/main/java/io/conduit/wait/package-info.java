/**
 * Waiting strategies: Agrona's idle strategies made from configuration text ({@link io.conduit.wait.IdleStrategies}),
 * and futex-based ones that let an idle thread sleep until a producer in another process publishes.
 * <p>
 * {@link io.conduit.wait.Futex} is the only class that calls the kernel (Linux {@code futex(2)} through JNA, a
 * park/poll fallback elsewhere). {@link io.conduit.wait.FutexWaiter} and {@link io.conduit.wait.FutexWaker} are the
 * two halves of the announce / re-check / sleep protocol that loses no wake-up and costs a producer no system call
 * while nobody sleeps; {@link io.conduit.wait.FutexIdleStrategy} and {@link io.conduit.wait.HybridIdleStrategy} wrap
 * it as Agrona {@link org.agrona.concurrent.IdleStrategy}s. {@link io.conduit.wait.CpuClock} reads thread and process
 * CPU time for tests and the perf harness. The protocol and the system properties are described in
 * {@code docs/WAITING.md}.
 */
package io.conduit.wait;
