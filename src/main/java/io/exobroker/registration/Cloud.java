package io.exobroker.registration;

import java.util.Locale;
import java.util.Optional;

/**
 * The Microsoft clouds a registration can live in. Each has its own sign-in host and its own Graph and Exchange
 * Online hosts, so the {@code graph} and {@code outlook} aliases resolve per cloud, and its own audience for the
 * assertions of workload identity federation.
 */
public enum Cloud {
    PUBLIC("https://login.microsoftonline.com", "https://graph.microsoft.com", "https://outlook.office365.com",
            "api://AzureADTokenExchange"),
    USGOV("https://login.microsoftonline.us", "https://graph.microsoft.us", "https://outlook.office365.us",
            "api://AzureADTokenExchangeUSGov"),
    CHINA("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn",
            "api://AzureADTokenExchangeChina");

    private final String authorityHost;
    private final String graphResource;
    private final String outlookResource;
    private final String tokenExchangeAudience;

    Cloud(String authorityHost, String graphResource, String outlookResource, String tokenExchangeAudience) {
        this.authorityHost = authorityHost;
        this.graphResource = graphResource;
        this.outlookResource = outlookResource;
        this.tokenExchangeAudience = tokenExchangeAudience;
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

    /** Where the broker's own Graph calls go (the admin {@code check}'s mailbox probe): the Graph resource's origin. */
    public String graphHost() {
        return graphResource;
    }

    /**
     * The audience Entra ID of this cloud expects in a federated assertion, and so the audience a federated identity
     * credential names and a managed-identity token for it is asked for.
     */
    public String tokenExchangeAudience() {
        return tokenExchangeAudience;
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
