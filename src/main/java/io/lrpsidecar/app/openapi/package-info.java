/**
 * The OpenAPI document of the query API ({@code /q/openapi}): typed schemas of the JSON forms of the Avro records
 * (derived from the Avro schemas, so the document follows them), the error body, and the API-key security scheme.
 */
package io.lrpsidecar.app.openapi;
