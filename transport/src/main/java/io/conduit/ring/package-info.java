/**
 * Lock-free rings of variable-length records in mapped memory: {@link io.conduit.ring.SpscRing} for one producer,
 * {@link io.conduit.ring.MpscRing} for many. Record layout in {@link io.conduit.ring.RecordDescriptor}.
 */
package io.conduit.ring;
