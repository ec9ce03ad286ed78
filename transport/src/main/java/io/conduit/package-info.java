/**
 * Conduit's API: {@link io.conduit.Channel}, a channel file with blocking and non-blocking send and receive;
 * {@link io.conduit.ChannelSet}, one thread receiving from several channels; the message handlers
 * ({@link io.conduit.MessageHandler}, {@link io.conduit.ControlledMessageHandler}); and the exceptions
 * ({@link io.conduit.CorruptChannelException}, {@link io.conduit.ChannelClosedException}). Channel files and their
 * options ({@link io.conduit.file.ChannelFile}, {@link io.conduit.file.ChannelOptions}) live in
 * {@link io.conduit.file}, rings and their status codes in {@link io.conduit.ring}, waiting in {@link io.conduit.wait}.
 */
package io.conduit;
