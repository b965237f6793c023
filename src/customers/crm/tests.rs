//! Table tests for parsing CRM events and deriving the customer profile.

use super::*;
