package io.exobroker.registration;

import java.util.Locale;
import java.util.Optional;

/**
 * The Microsoft clouds a registration can live in. Each has its own sign-in host and its own Graph and Exchange
 * Online hosts, so the {@code graph} and {@code outlook} aliases resolve per cloud.
 */
public enum Cloud {
    PUBLIC("https://login.microsoftonline.com", "https://graph.microsoft.com", "https://outlook.office365.com"),
    USGOV("https://login.microsoftonline.us", "https://graph.microsoft.us", "https://outlook.office365.us"),
    CHINA("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn");

    private final String authorityHost;
    private final String graphResource;
    private final String outlookResource;

    Cloud(String authorityHost, String graphResource, String outlookResource) {
        this.authorityHost = authorityHost;
        this.graphResource = graphResource;
        this.outlookResource = outlookResource;
    }

    public String authorityHost() {
        return authorityHost;
    }

    public String graphResource() {
        return graphResource;
    }

    public String outlookResource() {
        return outlookResource;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Cloud> fromConfigName(String name) {
        for (Cloud cloud : values()) {
            if (cloud.configName().equals(name)) {
                return Optional.of(cloud);
            }
        }
        return Optional.empty();
    }
}
