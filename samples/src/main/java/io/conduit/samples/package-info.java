/**
 * Small programs that show Conduit in use, one file each, each running with no arguments and ending by itself; their
 * knobs are system properties read in {@link io.conduit.samples.SampleConfiguration}. The main demo is
 * {@link io.conduit.samples.PingPong}.
 */
package io.conduit.samples;
