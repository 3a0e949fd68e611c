import { chain, optional, retryOf, type Template } from './template'

/** Extract, transform, validate and load (ETL). */
export const dataPipeline: Template = {
  id: 'data-pipeline',
  name: 'Data pipeline (ETL)',
  description:
    'Extracts records from a source, transforms them (normalize, deduplicate, enrich…), validates them against a schema and loads them into a destination table.',
  tags: ['etl', 'data', 'sequential'],
  actions: ['extract', 'transform-data', 'validate-data', 'load'],
  params: {
    source: optional('string', 'api', 'Where the data comes from (the extract action reads it).'),
    endpoint: optional('string', '/api/data', 'The source endpoint.'),
    method: optional('string', 'GET', 'The request method for the source.'),
    operations: optional('array', ['normalize', 'deduplicate', 'enrich'], 'Transformations, in order.'),
    schema: optional('string', 'data_schema.json', 'The schema records are validated against.'),
    strict: optional('boolean', true, 'Refuse the batch when one record is invalid.'),
    destination: optional('string', 'database', 'Where the records are loaded.'),
    table: optional('string', 'processed_data', 'The destination table.'),
    mode: {
      type: 'string',
      default: 'append',
      enum: ['append', 'replace', 'upsert'],
      description: 'How records are loaded.',
    },
    retries: optional('integer', 3, 'Retries of a failed step.'),
    retryDelayMs: optional('integer', 5000, 'Wait before the first retry, in ms (doubling).'),
  },
  build: (p) => ({
    description: 'Extract, transform, and load data',
    defaults: { retry: retryOf(p) },
    tasks: chain({
      extract: {
        action: 'extract',
        name: 'Extract data',
        params: { source: p.source, endpoint: p.endpoint, method: p.method },
      },
      transform: {
        action: 'transform-data',
        name: 'Transform data',
        params: { records: '${ tasks.extract.output }', operations: p.operations },
      },
      validate: {
        action: 'validate-data',
        name: 'Validate data',
        params: { records: '${ tasks.transform.output }', schema: p.schema, strict: p.strict },
      },
      load: {
        action: 'load',
        name: 'Load data',
        params: {
          records: '${ tasks.validate.output }',
          destination: p.destination,
          table: p.table,
          mode: p.mode,
        },
      },
    }),
    output: 'tasks.load.output',
  }),
}
