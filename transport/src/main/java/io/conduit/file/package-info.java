/**
 * Channel files: creation, checked opening, mapping and deletion; header layout in
 * {@link io.conduit.file.ChannelFileDescriptor}.
 */
package io.conduit.file;
