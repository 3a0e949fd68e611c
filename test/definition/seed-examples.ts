/**
 * The example definitions of the formats users bring, written as their documents write them
 * (Python task dicts, pipelines of named steps, YAML templates, agent task maps, typed steps).
 * Each entry names the actions it needs and the input it runs with.
 */
export interface SeedExample {
  title: string
  /** A definition object, or its YAML or JSON text. */
  source: unknown
  /** Actions the app registers for it (stand-ins in tests). */
  actions: string[]
  /** `EngineOptions.actionAliases` the app sets for it. */
  aliases?: Record<string, string>
  input?: Record<string, unknown>
}

/** The text-processing handlers as a task list of `Task` dicts (`handler`, `retry_policy`, `timeout` in seconds). */
const taskDicts: SeedExample = {
  title: 'task dicts with handler, dependencies, retry_policy and timeout',
  source: {
    name: 'text_analysis',
    tasks: [
      {
        id: 'process',
        name: 'Process text',
        handler: 'process_text',
        dependencies: [],
        params: { text: 'Workflows that survive a reload.', model: 'gpt-4' },
        retry_policy: { max_retries: 2, delay: 1, backoff_factor: 2 },
        timeout: 30,
      },
      {
        id: 'sentiment',
        name: 'Analyze sentiment',
        handler: 'analyze_sentiment',
        dependencies: ['process'],
        params: { text: '${ tasks.process.output.processed_text }' },
      },
      {
        id: 'summary',
        name: 'Generate summary',
        handler: 'generate_summary',
        dependencies: ['process'],
        params: { text: '${ tasks.process.output.processed_text }', model: 'gpt-4' },
        retry_policy: { max_attempts: 3 },
        timeout: 60,
      },
    ],
  },
  actions: ['process_text', 'analyze_sentiment', 'generate_summary'],
}

const pipeline = (name: string, steps: string[], requiredState: string[]): SeedExample => ({
  title: `pipeline ${name}: steps as names, required_state`,
  source: { name, version: '1.0', steps, required_state: requiredState },
  actions: steps,
  input: Object.fromEntries(requiredState.map((key) => [key, `${key}-value`])),
})

/** The three pipelines of the knowledge workflows, written as JSON. */
const pipelines: SeedExample[] = [
  pipeline(
    'process_control',
    ['validate_inputs', 'check_equipment_status', 'execute_process', 'validate_outputs', 'update_records'],
    ['equipment_id', 'process_params'],
  ),
  pipeline(
    'troubleshooting',
    [
      'analyze_symptoms',
      'query_knowledge_base',
      'generate_hypotheses',
      'test_hypotheses',
      'implement_solution',
    ],
    ['symptoms', 'equipment_id'],
  ),
  pipeline(
    'knowledge_ingestion',
    ['validate_source', 'extract_content', 'structure_knowledge', 'validate_quality', 'store_knowledge'],
    ['source_id', 'content_type'],
  ),
]

const documentProcessingYaml = `name: Document Processing
description: OCR, extract, and analyze documents
steps:
  - type: upload
    name: Upload Document
    config:
      max_size: 10485760  # 10MB
      allowed_types: [pdf, docx, jpg, png]
  
  - type: ocr
    name: Extract Text
    config:
      engine: tesseract
      languages: [eng, deu]
  
  - type: analyze
    name: Analyze Content
    config:
      extract_entities: true
      sentiment_analysis: true
  
  - type: store
    name: Store Results
    config:
      destination: database
      vector_store: true
`

const dataPipelineYaml = `name: Data Pipeline
description: Extract, transform, and load data
steps:
  - type: extract
    name: Extract Data
    config:
      source: api
      endpoint: /api/data
      method: GET
  
  - type: transform
    name: Transform Data
    config:
      operations:
        - normalize
        - deduplicate
        - enrich
  
  - type: validate
    name: Validate Data
    config:
      schema: data_schema.json
      strict: true
  
  - type: load
    name: Load Data
    config:
      destination: database
      table: processed_data
      mode: append
`

const notificationFlowYaml = `name: Notification Flow
description: Send notifications across multiple channels
steps:
  - type: prepare
    name: Prepare Message
    config:
      template: notification_template
      variables: dynamic
  
  - type: email
    name: Send Email
    config:
      to: recipients
      subject: dynamic
      
  - type: slack
    name: Post to Slack
    config:
      channel: notifications
      
  - type: webhook
    name: Call Webhook
    config:
      url: https://api.example.com/notify
      method: POST
`

/** The automation templates, as YAML text (as shipped) and the data pipeline also as JSON. */
const yamlTemplates: SeedExample[] = [
  {
    title: 'document processing template (YAML)',
    source: documentProcessingYaml,
    actions: ['upload', 'ocr', 'analyze', 'store'],
  },
  {
    title: 'data pipeline template (YAML; a step type named like the built-in transform)',
    source: dataPipelineYaml,
    actions: ['extract', 'etl-transform', 'validate', 'load'],
    aliases: { transform: 'etl-transform' },
  },
  {
    title: 'notification flow template (YAML)',
    source: notificationFlowYaml,
    actions: ['prepare', 'email', 'slack', 'webhook'],
  },
  {
    title: 'data pipeline template (JSON)',
    source: {
      name: 'Data Pipeline',
      description: 'Extract, transform, and load data',
      steps: [
        {
          type: 'extract',
          name: 'Extract Data',
          config: { source: 'api', endpoint: '/api/data', method: 'GET' },
        },
        {
          type: 'transform',
          name: 'Transform Data',
          config: { operations: ['normalize', 'deduplicate', 'enrich'] },
        },
        { type: 'validate', name: 'Validate Data', config: { schema: 'data_schema.json', strict: true } },
        {
          type: 'load',
          name: 'Load Data',
          config: { destination: 'database', table: 'processed_data', mode: 'append' },
        },
      ],
    },
    actions: ['extract', 'etl-transform', 'validate', 'load'],
    aliases: { transform: 'etl-transform' },
  },
]

/** The programmatic step lists of the automation pipeline. */
const stepLists: SeedExample[] = [
  {
    title: 'custom processing steps',
    source: {
      name: 'Custom Processing',
      description: 'Custom multi-step workflow',
      steps: [
        { type: 'fetch', name: 'Fetch Data', config: { url: 'https://api.example.com/data' } },
        { type: 'process', name: 'Process Data', config: { operation: 'transform' } },
        { type: 'notify', name: 'Send Notification', config: { channel: 'slack' } },
      ],
    },
    actions: ['fetch', 'process', 'notify'],
  },
  {
    title: 'steps without config',
    source: {
      name: 'My Workflow',
      steps: [
        { type: 'step1', name: 'First Step' },
        { type: 'step2', name: 'Second Step' },
      ],
      description: 'Custom workflow',
    },
    actions: ['step1', 'step2'],
  },
  {
    title: 'steps in parallel groups, without names',
    source: {
      name: 'Parallel fetch',
      steps: [
        { type: 'fetch_api1', parallel_group: 1 },
        { type: 'fetch_api2', parallel_group: 1 },
        { type: 'merge', parallel_group: 2 },
      ],
    },
    actions: ['fetch_api1', 'fetch_api2', 'merge'],
  },
]

/** The orchestration task maps: a task list with `id`, and task maps keyed by id. */
const taskMaps: SeedExample[] = [
  {
    title: 'a task list with id, agent_id, conditions, timeout_seconds, retry_count, execution_mode',
    source: {
      name: 'Extraction',
      tasks: [
        {
          id: 'extract_data',
          name: 'Extract Data from Source',
          agent_id: 'data_agent',
          action: 'agent_task',
          dependencies: [],
          conditions: [],
          timeout_seconds: 3600,
          retry_count: 3,
          execution_mode: 'sequential',
        },
      ],
    },
    actions: ['agent_task'],
  },
  {
    title: 'Simple Analysis (parameters)',
    source: {
      name: 'Simple Analysis',
      version: '2.0.0',
      tasks: {
        analyze: {
          name: 'Analyze Data',
          agent_id: 'analyst',
          action: 'agent_task',
          parameters: { description: 'Perform data analysis', estimated_hours: 2 },
        },
      },
    },
    actions: ['agent_task'],
  },
  {
    title: 'Multi-Agent Processing (execution_mode per task)',
    source: {
      name: 'Multi-Agent Processing',
      version: '2.0.0',
      tasks: {
        preprocessing: {
          name: 'Preprocess Data',
          agent_id: 'data_agent',
          action: 'agent_task',
          execution_mode: 'sequential',
        },
        analysis_1: {
          name: 'Analysis Path 1',
          agent_id: 'analyst_1',
          action: 'agent_task',
          execution_mode: 'parallel',
          dependencies: ['preprocessing'],
        },
        analysis_2: {
          name: 'Analysis Path 2',
          agent_id: 'analyst_2',
          action: 'agent_task',
          execution_mode: 'parallel',
          dependencies: ['preprocessing'],
        },
        synthesis: {
          name: 'Synthesize Results',
          agent_id: 'synthesizer',
          action: 'agent_task',
          dependencies: ['analysis_1', 'analysis_2'],
        },
      },
    },
    actions: ['agent_task'],
  },
  {
    title: 'a retry policy on the whole workflow and on a task',
    source: {
      id: 'workflow-123',
      name: 'Data Processing Pipeline',
      version: '2.0.0',
      description: 'ETL pipeline with validation',
      retry_count: 3,
      retry_delay: 5,
      timeout_seconds: 3600,
      execution_mode: 'sequential',
      tasks: {
        extract: { name: 'Extract', agent_id: 'data_agent', action: 'agent_task' },
        transform: {
          name: 'Transform',
          agent_id: 'process_agent',
          action: 'agent_task',
          retry_count: 1,
          retry_delay: 2,
          timeout_seconds: 600,
        },
        load: { name: 'Load', agent_id: 'data_agent', action: 'agent_task' },
      },
    },
    actions: ['agent_task'],
  },
]

const typedStepsYaml = `# Example workflow definition
name: "Document Processing"
version: "1.0"
description: "Process and analyze documents with AI"

steps:
  - id: "document_input"
    type: "input"
    config:
      required_fields:
        - "document_url"
        - "document_type"

  - id: "ai_analysis"
    type: "ai_processing"
    config:
      model: "gpt-4"
      max_tokens: 1000
      temperature: 0.7

  - id: "result_storage"
    type: "storage"
    config:
      storage_type: "s3"
      bucket: "processed-documents"
`

/** The workflow engine's YAML definition with typed steps. */
const typedSteps: SeedExample = {
  title: 'steps with id, type and config (YAML)',
  source: typedStepsYaml,
  actions: ['input', 'ai_processing', 'storage'],
}

export const SEED_EXAMPLES: readonly SeedExample[] = [
  taskDicts,
  ...pipelines,
  ...yamlTemplates,
  ...stepLists,
  ...taskMaps,
  typedSteps,
]
