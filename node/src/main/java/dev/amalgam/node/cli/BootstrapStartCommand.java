package dev.amalgam.node.cli;

import dev.amalgam.bootstrap.BootstrapPeer;
import dev.amalgam.bootstrap.EventLog;
import dev.amalgam.bootstrap.FederationDescriptor;
import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.crypto.IdentityFile;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Run a bootstrap peer in the foreground until SIGTERM or Ctrl-C.",
      "Prints its addresses with /p2p/ID: give them to nodes as bootstrap peers."
    })
final class BootstrapStartCommand implements Callable<Integer> {
  @Option(
      names = "--home",
      paramLabel = "DIR",
      description =
          "Directory holding the bootstrap peer's identity.key (created if missing), so its peer"
              + " id survives restarts. Without it the identity is new on every start.")
  Path home;

  @Option(
      names = "--federation",
      paramLabel = "NAME|FILE",
      defaultValue = "default",
      description =
          "Federation name, or a descriptor file (.yaml/.json) (default: ${DEFAULT-VALUE}).")
  String federation;

  @Option(
      names = "--listen",
      paramLabel = "MULTIADDR",
      description = "Listen address (repeatable; default /ip4/0.0.0.0/tcp/4001).")
  List<String> listen;

  @Override
  public Integer call() throws Exception {
    Foreground.oneLineLogging();
    FederationDescriptor fed =
        FederationDescriptor.looksLikeFile(federation)
            ? FederationDescriptor.read(Path.of(federation))
            : FederationDescriptor.named(checkName(federation), List.of());
    List<Multiaddr> addrs = new ArrayList<>();
    for (String l : listen == null ? List.of("/ip4/0.0.0.0/tcp/4001") : listen) {
      try {
        addrs.add(Multiaddr.parse(l));
      } catch (IllegalArgumentException e) {
        throw new UserError("--listen '" + l + "': " + e.getMessage());
      }
    }
    PrivateKey key =
        home == null
            ? Ed25519PrivateKey.generate()
            : IdentityFile.loadOrCreate(home.resolve("identity.key"));
    EventLog log = new EventLog(System.out);
    try (BootstrapPeer peer = BootstrapPeer.start(key, fed, addrs, log)) {
      System.out.println("bootstrap peer " + peer.host().peerId() + " federation " + fed.name());
      for (Multiaddr a : peer.addresses()) {
        System.out.println("listening on " + a);
      }
      System.out.println("topics " + String.join(" ", fed.topics()));
      System.out.flush();
      String signal = Foreground.awaitStopSignal();
      log.event("stopping", "on " + signal);
    }
    log.event("stopped", "");
    return Amalgam.EXIT_OK;
  }

  private static String checkName(String name) {
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new UserError(
          "--federation '" + name + "': a name is 1-64 letters, digits, '.', '_' or '-'");
    }
    return name;
  }
}
