package dev.amalgam.node.cli;

import dev.amalgam.protocol.crypto.Ed25519PrivateKey;
import dev.amalgam.protocol.crypto.IdentityFile;
import dev.amalgam.protocol.crypto.PrivateKey;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.HostConfig;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code amalgam id}: this node's peer id and the addresses it listens on. */
@Command(
    name = "id",
    mixinStandardHelpOptions = true,
    description = "Print this node's peer id, listen addresses and protocols.")
final class IdCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description =
          "Identity key file (libp2p PrivateKey protobuf); created if missing. Default: the node"
              + " home's identity, else a fresh key.")
  Path keyFile;

  @picocli.CommandLine.Mixin HomeOption home;

  @Option(
      names = "--listen",
      paramLabel = "MULTIADDR",
      description = "Address to listen on (repeatable). Default: ${DEFAULT-VALUE}.",
      defaultValue = "/ip4/127.0.0.1/tcp/0")
  List<String> listen;

  @Override
  public Integer call() {
    Path homeKey = home.resolve().resolve(dev.amalgam.node.home.NodeHome.IDENTITY);
    PrivateKey key =
        loadKey(keyFile == null && java.nio.file.Files.exists(homeKey) ? homeKey : keyFile);
    PrintWriter out = spec.commandLine().getOut();
    try (Host host = new Host(HostConfig.defaults().withIdentity(key))) {
      for (String a : listen) {
        Multiaddr addr = parseMultiaddr(a);
        try {
          host.listen(addr);
        } catch (IOException e) {
          throw new UserError(e.getMessage(), e);
        }
      }
      out.println("ID        " + host.peerId());
      for (Multiaddr a : host.listenAddresses()) {
        out.println("Address   " + a.withPeerId(host.peerId()));
      }
      out.println("Protocols " + String.join(" ", host.protocols()));
      out.println("Agent     " + host.config().agentVersion());
      out.flush();
    }
    return Amalgam.EXIT_OK;
  }

  static PrivateKey loadKey(Path keyFile) {
    if (keyFile == null) {
      return Ed25519PrivateKey.generate();
    }
    try {
      return IdentityFile.loadOrCreate(keyFile);
    } catch (IOException e) {
      throw new UserError("cannot read key " + keyFile + ": " + e.getMessage(), e);
    }
  }

  static Multiaddr parseMultiaddr(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
  }
}
