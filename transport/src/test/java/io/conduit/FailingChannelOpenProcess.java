package io.conduit;

import io.conduit.file.ChannelOptions;
import io.conduit.file.OpenChannelFiles;

import java.nio.file.Path;

/**
 * Child JVM for {@link ChannelTest}: opens a channel in a JVM started so that building it throws (the futex class,
 * first used by the channel's waiters, fails its static initialiser on a bad system property), then prints what was
 * thrown, whether from the channel's constructor, and how many channel files this process still has open.
 */
public final class FailingChannelOpenProcess
{
    private FailingChannelOpenProcess()
    {
    }

    /**
     * @param args directory, channel name.
     */
    public static void main(final String[] args)
    {
        try (Channel channel = Channel.open(Path.of(args[0]), args[1], ChannelOptions.defaults().capacity(4096), 0, 0))
        {
            System.out.println("OPENED " + channel.file().path());
        }
        catch (final Throwable ex) // an Error is what this process is started to provoke
        {
            System.out.println("THREW " + ex.getClass().getName() + " building=" + isFromTheConstructor(ex) +
                " suppressed=" + ex.getSuppressed().length);
        }
        System.out.println("OPEN_FILES " + OpenChannelFiles.count());
    }

    private static boolean isFromTheConstructor(final Throwable ex)
    {
        for (final StackTraceElement frame : ex.getStackTrace())
        {
            if (Channel.class.getName().equals(frame.getClassName()) && "<init>".equals(frame.getMethodName()))
            {
                return true;
            }
        }
        return false;
    }
}
