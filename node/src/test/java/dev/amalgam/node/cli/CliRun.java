package dev.amalgam.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the CLI in-process and captures its exit code, stdout and stderr. */
record CliRun(int exitCode, String out, String err) {
  /**
   * {@code amalgam init} of a node home for multi-process tests: loopback listener on an ephemeral
   * port, the given bootstrap peer and federation, an ephemeral API port and no mDNS.
   */
  static void initLoopbackHome(Path home, String bootstrapAddr, String federation) {
    CliRun init =
        of(
            "init",
            "--home",
            home.toString(),
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--bootstrap",
            bootstrapAddr,
            "--federation",
            federation,
            "--api-port",
            "0",
            "--no-mdns");
    if (init.exitCode() != 0) {
      throw new AssertionError("amalgam init --home " + home + " failed: " + init.err());
    }
  }

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Amalgam.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString());
  }

  long errLines() {
    return err.lines().count();
  }
}
