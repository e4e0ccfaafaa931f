"""Lead pages, one module per screen: board, detail, imports (CSV in/out, bulk), tasks."""
