package dev.amalgam.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The tool version, filtered into a resource at build time. */
public final class AmalgamVersion implements IVersionProvider {
  private static final String VERSION = load();

  public static String version() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = AmalgamVersion.class.getResourceAsStream("/amalgam-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "amalgam " + VERSION,
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
