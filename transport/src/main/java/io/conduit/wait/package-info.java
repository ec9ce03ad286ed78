/**
 * Waiting strategies: Agrona's idle strategies made from configuration text ({@link io.conduit.wait.IdleStrategies}),
 * and futex-based ones that let an idle thread sleep until a producer in another process publishes.
 * <p>
 * Five classes call the kernel, all through the package's one JNA binding of libc: {@link io.conduit.wait.Futex}
 * ({@code futex(2)}, a park/poll fallback elsewhere), {@link io.conduit.wait.FutexWaitSet} ({@code futex_waitv(2)},
 * a park/poll of its words elsewhere), {@link io.conduit.wait.AsymmetricFence} ({@code membarrier(2)}, a fence on
 * each producer's side elsewhere) and {@link io.conduit.wait.CpuClock} ({@code clock_gettime(2)}, the JDK's
 * management beans elsewhere); and, outside waiting, {@link io.conduit.wait.FileSpace} ({@code fallocate(2)}, for
 * {@link io.conduit.file.ChannelFile#open}; nothing elsewhere). {@link io.conduit.wait.FutexWaiter} and
 * {@link io.conduit.wait.FutexWaker} are the two halves of the announce / re-check / sleep protocol that loses no
 * wake-up and costs a producer no system call
 * while nobody sleeps; {@link io.conduit.wait.AsymmetricFence} splits the protocol's StoreLoad fence so that the
 * sleeper pays for it and a producer in a registered process does not. {@link io.conduit.wait.FutexWaitSet} sleeps
 * on several futex words at once, for {@link io.conduit.ChannelSet}. {@link io.conduit.wait.FutexIdleStrategy} and
 * {@link io.conduit.wait.HybridIdleStrategy} wrap the protocol as Agrona
 * {@link org.agrona.concurrent.IdleStrategy}s. {@link io.conduit.wait.CpuClock} reads thread and process CPU time
 * for tests and the perf harness. The protocol and the system properties are described in {@code docs/WAITING.md}.
 */
package io.conduit.wait;
