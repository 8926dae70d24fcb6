package io.exobroker.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** The managed-identity-compatible endpoint. */
@ConfigMapping(prefix = "broker.msi")
public interface ManagedIdentityConfig {

    /**
     * The registration used when a managed-identity request names none ({@code client_id}, {@code mi_res_id}) and
     * the caller may use more than one.
     */
    Optional<String> defaultRegistration();
}
