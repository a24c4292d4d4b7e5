import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../config.js';

describe('observability settings', () => {
  it('logs at info and exports no traces unless told otherwise', () => {
    expect(readGatewayConfig({}).observability).toEqual({ logLevel: 'info', otlpEndpoint: undefined, serviceName: 'supergate-gateway' });
  });

  it('reads LOG_LEVEL (silent included) and the standard OpenTelemetry variables', () => {
    expect(
      readGatewayConfig({ LOG_LEVEL: 'silent', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'edge-eu' }).observability,
    ).toEqual({
      logLevel: 'silent',
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'edge-eu',
    });
    expect(readGatewayConfig({ LOG_LEVEL: 'DEBUG' }).observability.logLevel).toBe('debug');
  });

  it.each([
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL; got "collector:4318"/],
  ])('refuses %s=%s, naming the variable', (variable, value, message) => {
    expect(() => readGatewayConfig({ [variable]: value })).toThrow(message);
  });
});
