package io.exobroker.testing.entra;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The two ways a JOSE header names a certificate: {@code x5t} (SHA-1) and {@code x5t#S256} (SHA-256),
 * both base64url of the digest of the DER encoding, plus the hex form Entra ID prints in errors.
 *
 * <p>RFC 7515 says base64url, but MSAL4J 1.26 sends the <em>standard</em> Base64 alphabet with padding and
 * Entra ID accepts it, so header values are compared in {@link #canonical canonical} form.
 */
record Thumbprints(String x5t, String x5tS256, String sha1Hex) {

    static Thumbprints of(X509Certificate certificate) {
        try {
            byte[] der = certificate.getEncoded();
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(der);
            byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(der);
            Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
            return new Thumbprints(base64url.encodeToString(sha1), base64url.encodeToString(sha256),
                    HexFormat.of().withUpperCase().formatHex(sha1));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot fingerprint certificate", e);
        }
    }

    /** True when a JOSE header value (either Base64 alphabet, padded or not) names this SHA-1 thumbprint. */
    boolean matchesX5t(String headerValue) {
        return x5t.equals(canonical(headerValue));
    }

    /** True when a JOSE header value (either Base64 alphabet, padded or not) names this SHA-256 thumbprint. */
    boolean matchesX5tS256(String headerValue) {
        return x5tS256.equals(canonical(headerValue));
    }

    /** Hex rendering of a thumbprint from a request header, for error texts; "unknown" if undecodable. */
    static String hexOf(String headerValue) {
        try {
            return HexFormat.of().withUpperCase().formatHex(Base64.getUrlDecoder().decode(canonical(headerValue)));
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }

    /** Unpadded base64url spelling of a value written in either Base64 alphabet; {@code null} stays null. */
    static String canonical(String headerValue) {
        if (headerValue == null) {
            return null;
        }
        String urlAlphabet = headerValue.replace('+', '-').replace('/', '_');
        int end = urlAlphabet.length();
        while (end > 0 && urlAlphabet.charAt(end - 1) == '=') {
            end--;
        }
        return urlAlphabet.substring(0, end);
    }
}
