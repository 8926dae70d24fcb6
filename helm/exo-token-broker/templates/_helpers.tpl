{{/* Chart name, overridable. */}}
{{- define "exo-token-broker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources: <release>-<name>, or the release name when it already holds the name. */}}
{{- define "exo-token-broker.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "exo-token-broker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "exo-token-broker.labels" -}}
helm.sh/chart: {{ include "exo-token-broker.chart" . }}
{{ include "exo-token-broker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels the Service, PodDisruptionBudget, NetworkPolicy and ServiceMonitor select on; never change them. */}}
{{- define "exo-token-broker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "exo-token-broker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the `helm test` pod, which the NetworkPolicy admits to the management port. Its name label differs from the
broker's so that the Service, the PodDisruptionBudget and the NetworkPolicy's own podSelector never select it.
*/}}
{{- define "exo-token-broker.testSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-test" (include "exo-token-broker.name" .) | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
{{- end }}
{{- define "exo-token-broker.testLabels" -}}
helm.sh/chart: {{ include "exo-token-broker.chart" . }}
{{ include "exo-token-broker.testSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "exo-token-broker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "exo-token-broker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: a digest wins over the tag; the default tag is appVersion, "-jvm" for the jvm variant. */}}
{{- define "exo-token-broker.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- $defaultTag := ternary (printf "%s-jvm" .Chart.AppVersion) .Chart.AppVersion (eq .Values.image.variant "jvm") }}
{{- printf "%s:%s" .Values.image.repository (default $defaultTag .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where things are mounted in the container. */}}
{{- define "exo-token-broker.storeDir" -}}/etc/exo-token-broker/store{{- end }}
{{- define "exo-token-broker.vaultCaDir" -}}/etc/exo-token-broker/vault-ca{{- end }}
{{- define "exo-token-broker.vaultTokenDir" -}}/var/run/secrets/exo-token-broker/vault{{- end }}
{{- define "exo-token-broker.federationTokenDir" -}}/var/run/secrets/exo-token-broker/federation{{- end }}
{{- define "exo-token-broker.tlsDir" -}}/etc/exo-token-broker/tls{{- end }}

{{/*
Mode of mounted Secret files, in decimal: 0440 (288) when fsGroup makes the pod's group own them, else 0444 (292)
so a platform-assigned user can still read them.
*/}}
{{- define "exo-token-broker.secretFileMode" -}}
{{- ternary 288 292 (not (kindIs "invalid" .Values.podSecurity.fsGroup)) }}
{{- end }}

{{/* "true" when TokenReview caller auth is on: the broker then needs the system:auth-delegator binding. */}}
{{- define "exo-token-broker.tokenReview" -}}
{{- if and .Values.callerAuth.kubernetes.enabled (eq .Values.callerAuth.kubernetes.mode "token-review") }}true{{- end }}
{{- end }}

{{/* "true" when Vault logs in with the pod's default service-account token (no dedicated projected token). */}}
{{- define "exo-token-broker.vaultUsesDefaultToken" -}}
{{- if and (eq .Values.broker.store "vault") (not .Values.vault.kubernetesAuth.audience) }}true{{- end }}
{{- end }}

{{/*
The service-account token is mounted only when something uses it: Vault's Kubernetes auth with the default token,
or caller auth (TokenReview calls and JWKS fetches authenticate to the API server with it).
*/}}
{{- define "exo-token-broker.automountToken" -}}
{{- if or (include "exo-token-broker.vaultUsesDefaultToken" .) .Values.callerAuth.kubernetes.enabled }}true{{- else }}false{{- end }}
{{- end }}

{{/* Name and port of the container port serving the API (token surfaces and admin API). */}}
{{- define "exo-token-broker.portName" -}}
{{- ternary "https" "http" .Values.tls.enabled }}
{{- end }}
{{- define "exo-token-broker.containerPort" -}}
{{- ternary 8443 8080 .Values.tls.enabled }}
{{- end }}

{{/*
The Quarkus management interface: health, metrics, OpenAPI and Swagger UI, on a port of their own (the broker's
default, 9000) so the NetworkPolicy can admit callers to the API and only the scraper here. HTTPS with tls.enabled.
*/}}
{{- define "exo-token-broker.managementPortName" -}}management{{- end }}
{{- define "exo-token-broker.managementContainerPort" -}}9000{{- end }}

{{/*
A NetworkPolicy peer from a namespaceSelector and a podSelector, leaving out an empty one: an empty namespaceSelector
would mean every namespace, and a peer with only a podSelector means pods in the release namespace.
Called with (list <values with the selectors> <their path, for the error message>); written after "- ".
*/}}
{{- define "exo-token-broker.networkPeer" -}}
{{- $selectors := index . 0 }}
{{- $peer := dict }}
{{- with $selectors.namespaceSelector }}{{ $_ := set $peer "namespaceSelector" . }}{{ end }}
{{- with $selectors.podSelector }}{{ $_ := set $peer "podSelector" . }}{{ end }}
{{- if not $peer }}
{{- fail (printf "%s needs a namespaceSelector or a podSelector" (index . 1)) }}
{{- end }}
{{- toYaml $peer | nindent 10 | trim }}
{{- end }}

{{/* Settings that can only be checked together; the schema checks each value on its own. */}}
{{- define "exo-token-broker.validate" -}}
{{- if not (or .Values.tls.enabled .Values.tls.allowPlaintext) }}
{{- fail "TLS is not configured: set tls.enabled=true and tls.secretName=<a kubernetes.io/tls Secret with tls.crt and tls.key> to serve HTTPS, or set tls.allowPlaintext=true to serve plain HTTP knowingly (API keys and tokens then cross the pod network unencrypted)" }}
{{- end }}
{{- if and .Values.tls.enabled .Values.tls.allowPlaintext }}
{{- fail "tls.enabled=true and tls.allowPlaintext=true contradict each other: remove tls.allowPlaintext to serve HTTPS only" }}
{{- end }}
{{- if and (eq .Values.broker.store "vault") .Values.vault.address (not (hasPrefix "https://" .Values.vault.address)) (not .Values.vault.allowPlaintext) }}
{{- fail (printf "vault.address %s is not https://: Vault hands the broker every client secret and PFX, so use its TLS listener (and vault.caSecret for a private CA), or set vault.allowPlaintext=true for a link that is encrypted otherwise" .Values.vault.address) }}
{{- end }}
{{- if and (eq .Values.broker.store "vault") (not .Values.vault.address) }}
{{- fail "vault.address is required when broker.store is vault" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "tls.secretName is required when tls.enabled is true" }}
{{- end }}
{{- if and (eq .Values.broker.store "vault") (or .Values.broker.files.registrationsSecret .Values.broker.files.callersSecret .Values.broker.files.certificatesSecret) }}
{{- fail "broker.files.*Secret are used only with broker.store=files; remove them or set broker.store=files" }}
{{- end }}
{{- if .Values.networkPolicy.enabled }}
{{- $vault := .Values.networkPolicy.egress.vault }}
{{- if and (eq .Values.broker.store "vault") (not (or $vault.ipBlocks $vault.namespaceSelector $vault.podSelector)) }}
{{- fail "networkPolicy.egress.vault needs ipBlocks, a namespaceSelector or a podSelector when broker.store is vault (or set networkPolicy.enabled=false)" }}
{{- end }}
{{- if and .Values.callerAuth.kubernetes.enabled (not .Values.networkPolicy.egress.kubernetesApi.ipBlocks) }}
{{- fail "networkPolicy.egress.kubernetesApi.ipBlocks is required when callerAuth.kubernetes.enabled is true (the API server's endpoint addresses: kubectl get endpoints kubernetes)" }}
{{- end }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (not (kindIs "invalid" .Values.podDisruptionBudget.minAvailable)) (not (kindIs "invalid" .Values.podDisruptionBudget.maxUnavailable)) }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both (set maxUnavailable to null)" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not be greater than autoscaling.maxReplicas" }}
{{- end }}
{{- end }}

{{/*
The runbook_url annotation of an alert, from (list .Values.monitoring.rules "AlertName"); nothing without a runbookUrl.
*/}}
{{- define "exo-token-broker.runbookUrl" -}}
{{- $rules := index . 0 }}
{{- with $rules.runbookUrl }}
runbook_url: {{ printf "%s#%s" . (lower (index $ 1)) | quote }}
{{- end }}
{{- end }}
