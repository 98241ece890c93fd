package dev.amalgam.node.cli;

import dev.amalgam.protocol.host.Connection;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.mss.ProtocolNotSupportedException;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import dev.amalgam.protocol.ping.Ping;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code amalgam ping}: dial any libp2p peer and measure ping round trips. */
@Command(
    name = "ping",
    mixinStandardHelpOptions = true,
    description = "Dial a libp2p peer and print ping round-trip times.")
final class PingCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "MULTIADDR",
      description = "Peer address, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…")
  String address;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "10",
      description = "Number of pings (default ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description = "Identity key file; default: a fresh key.")
  Path keyFile;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "Dial timeout (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() {
    if (count < 1) {
      throw new ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
    }
    if (timeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
    }
    Multiaddr target = IdCommand.parseMultiaddr(address);
    PrintWriter out = spec.commandLine().getOut();
    Duration t = Duration.ofSeconds(timeoutSeconds);
    HostConfig config =
        HostConfig.defaults()
            .withIdentity(IdCommand.loadKey(keyFile))
            .withTimeouts(t, t, Duration.ofMinutes(1), t);
    try (Host host = new Host(config)) {
      Connection c;
      try {
        c = host.dial(target);
      } catch (IOException e) {
        String why = e.getMessage();
        String redundant = "cannot connect to " + target + ": ";
        if (why != null && why.startsWith(redundant)) {
          why = why.substring(redundant.length());
        }
        throw new UserError("cannot reach " + target + ": " + why, e);
      }
      out.println("PING " + c.remotePeer() + " at " + c.remoteAddress());
      out.flush();
      List<Duration> rtts;
      try (Stream s = c.newStream(Ping.PROTOCOL_ID)) {
        rtts = Ping.ping(s, count);
        s.in().readAllBytes();
      } catch (ProtocolNotSupportedException e) {
        throw new UserError("peer " + c.remotePeer() + " does not support " + Ping.PROTOCOL_ID, e);
      } catch (IOException e) {
        throw new UserError("ping to " + c.remotePeer() + " failed: " + e.getMessage(), e);
      }
      double total = 0;
      for (Duration d : rtts) {
        double ms = d.toNanos() / 1e6;
        total += ms;
        out.println(String.format(Locale.ROOT, "Pong received: time=%.3f ms", ms));
      }
      out.println(String.format(Locale.ROOT, "Average latency: %.3f ms", total / rtts.size()));
      out.flush();
    }
    return Amalgam.EXIT_OK;
  }
}
