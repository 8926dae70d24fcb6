package io.exobroker.testing.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pod's projected service-account volume, laid out as the kubelet writes it: the files live in a timestamped
 * directory, {@code ..data} links to it, and {@code token} and {@code ca.crt} link through {@code ..data}. Rotating
 * the token writes a new directory and swaps {@code ..data} atomically, so a reader sees the old files or the new
 * ones, never half of each.
 */
public final class MountedServiceAccount {

    private final KubernetesApiEmulator emulator;
    private final Path dir;
    private final String namespace;
    private final String name;
    private final AtomicInteger generation = new AtomicInteger();
    private String token;

    private MountedServiceAccount(KubernetesApiEmulator emulator, Path dir, String namespace, String name) {
        this.emulator = emulator;
        this.dir = dir;
        this.namespace = namespace;
        this.name = name;
    }

    /** Creates the account if needed and mounts a fresh token for it (default API audience) and the cluster CA. */
    public static MountedServiceAccount mount(KubernetesApiEmulator emulator, Path dir, String namespace, String name) {
        emulator.createServiceAccount(namespace, name);
        MountedServiceAccount mounted = new MountedServiceAccount(emulator, dir, namespace, name);
        mounted.rotateToken();
        try {
            Files.createSymbolicLink(dir.resolve("token"), Path.of("..data", "token"));
            Files.createSymbolicLink(dir.resolve("ca.crt"), Path.of("..data", "ca.crt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return mounted;
    }

    /** {@code broker.kubernetes-auth.token-file}. */
    public Path tokenFile() {
        return dir.resolve("token");
    }

    /** {@code broker.kubernetes-auth.ca-file}. */
    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** The token the volume holds now. */
    public synchronized String token() {
        return token;
    }

    /** Writes a new token (the CA unchanged) and swaps it in as the kubelet does; returns the token it replaced. */
    public synchronized String rotateToken() {
        String previous = token;
        token = emulator.token(namespace, name).issue();
        Path data = dir.resolve("..2026_01_01_00_00_00." + generation.incrementAndGet());
        try {
            Files.createDirectories(data);
            Files.writeString(data.resolve("token"), token);
            Files.writeString(data.resolve("ca.crt"), emulator.caCertificatePem());
            Path link = dir.resolve("..data_tmp");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, data.getFileName());
            Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return previous;
    }
}
