/** A Kubernetes object as parsed from YAML: only the fields every object has are typed. */
export type KubeObject = Record<string, any> & { apiVersion?: string; kind?: string; metadata?: Record<string, any> };
